/**
 * The ledger as this browser checked it (proof/ledger-check.ts): the checkpoint's signatures with
 * the keys pinned in the page, and its consistency with the last one this browser verified. Says
 * "verified", or plainly "this history may have been altered", or that nothing could be checked.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatCount } from '../format.ts';
import { pinnedKeys } from '../pinned-keys.ts';
import { checkLedger, type LedgerStatus as Status } from '../proof/ledger-check.ts';
import { httpLedgerSource } from '../proof/http-source.ts';

export function LedgerStatus() {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<Status | undefined>();
  useEffect(() => {
    let live = true;
    void (async () => {
      const source = httpLedgerSource((url, init) => fetch(url, { ...init, cache: 'no-store' }));
      const result = await checkLedger(source, await pinnedKeys(), localStorage);
      if (live) setStatus(result);
    })();
    return () => {
      live = false;
    };
  }, []);
  const n = (v: number) => formatCount(v, i18n.language);
  return (
    <section className="tv-card" aria-labelledby="ledger-title">
      <h2 id="ledger-title">{t('ledger.title')}</h2>
      <div role="status" aria-live="polite" data-ledger={status?.state ?? 'checking'}>
        {!status && <p>{t('ledger.checking')}</p>}
        {status?.state === 'verified' && (
          <div className="tv-verdict tv-verdict-ok">
            <p className="tv-verdict-head">{t('ledger.verified')}</p>
            <p>
              {status.witnesses.length === 0
                ? t('ledger.verifiedNoWitness', { size: n(status.checkpoint.size) })
                : t('ledger.verifiedDetail', { size: n(status.checkpoint.size), count: status.witnesses.length })}
            </p>
            <p>
              {status.previousSize === undefined
                ? t('ledger.firstVisit')
                : t('ledger.consistent', { size: n(status.previousSize) })}
            </p>
          </div>
        )}
        {status?.state === 'altered' && (
          <div className="tv-verdict tv-verdict-bad">
            <p className="tv-verdict-head">{t('ledger.altered')}</p>
            <p>{t('ledger.alteredDetail')}</p>
            <p className="tv-hint">{t('ledger.reason', { reason: t(`ledger.alteredReason.${status.reason}`) })}</p>
          </div>
        )}
        {status?.state === 'unavailable' && (
          <div className="tv-verdict tv-verdict-unknown">
            <p className="tv-verdict-head">{t('ledger.unavailable')}</p>
            <p>{t(`ledger.unavailableReason.${status.reason}`)}</p>
          </div>
        )}
      </div>
    </section>
  );
}
