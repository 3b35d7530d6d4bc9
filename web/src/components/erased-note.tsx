/**
 * A child whose record was erased (an accepted erasure request: its key destroyed), said plainly:
 * "此记录已于…删除" / "This record was erased on …". Nothing of the record can be shown any more;
 * its history can, and still verifies. The date comes from `GET /v1/portal/me` (`erasedAt`), which
 * reads no record and is no ledger entry.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, bearer } from '../api/client.ts';
import { formatDate } from '../format.ts';

/**
 * When the session's child of this id was erased: undefined while not yet known, null when it is
 * not erased (or the answer failed: the record's own page then says what went wrong).
 */
export function useErasedAt(token: string | undefined, childId: string): string | null | undefined {
  const [at, setAt] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    if (!token) return;
    let live = true;
    api
      .GET('/v1/portal/me', { headers: bearer(token) })
      .then(({ data }) => {
        const c = data?.children.find((x) => x.id === childId);
        if (live) setAt(c?.erasedAt ?? null);
      })
      .catch(() => live && setAt(null));
    return () => {
      live = false;
    };
  }, [token, childId]);
  return at;
}

/** The note; with `historyOf`, a link to the child's history, which remains. */
export function ErasedNote({ at, historyOf }: { at: string; historyOf?: string }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="tv-verdict tv-verdict-unknown" role="note" data-erased="true">
      <p className="tv-verdict-head">{t('erased.on', { date: formatDate(at, i18n.language) })}</p>
      <p>{t('erased.what')}</p>
      {historyOf && (
        <p>
          <Link to={`/children/${encodeURIComponent(historyOf)}/history`}>{t('erased.historyLink')}</Link>
        </p>
      )}
    </div>
  );
}
