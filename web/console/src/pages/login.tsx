/**
 * Logging in with the account and password (POST /v1/sessions): the session in the tab
 * (session.ts), then the page the person came for, or the start. A refusal says the same whatever
 * was wrong (the server does too), and a lockout or a throttle says to wait.
 */
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { api, must, type ApiError } from '../api/client.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { useTitle } from '../components/use-title.ts';
import { changeLanguage } from '../i18n/setup.ts';
import { saveSession } from '../session.ts';

interface Values {
  login: string;
  password: string;
}

export function LoginPage() {
  const { t, i18n } = useTranslation('shell');
  useTitle(t('login.title'));
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const other = i18n.language === 'en' ? 'zh-CN' : 'en';

  const submit = async (v: Values) => {
    setBusy(true);
    setError(undefined);
    try {
      const s = await must(api.POST('/v1/sessions', { body: { login: v.login.trim(), password: v.password } }));
      saveSession({ token: s.token, expiresAt: s.expiresAt, principalId: s.principalId });
      void navigate(from && from !== '/login' ? from : '/', { replace: true });
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="tv-login">
      <header className="tv-login-top">
        <span className="tv-brand-name">{t('app.name')}</span>
        <Button size="small" onClick={() => void changeLanguage(other)}>
          <span lang={other}>{t('app.otherLanguage')}</span>
        </Button>
      </header>
      <main id="main" className="tv-login-main" tabIndex={-1}>
        <Card className="tv-login-card">
          <Typography.Title level={1} className="tv-page-title">
            {t('login.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('login.intro')}</Typography.Paragraph>
          {error && (
            <div className="tv-block">
              {error.status === 401 ? (
                <Alert type="error" showIcon role="alert" title={t('login.failed')} />
              ) : (
                <ErrorAlert error={error} />
              )}
            </div>
          )}
          <Form<Values> layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
            <Form.Item
              name="login"
              label={t('login.login')}
              rules={[{ required: true, whitespace: true, message: t('login.required', { field: t('login.login') }) }]}
            >
              <Input autoComplete="username" autoFocus size="large" />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('login.password')}
              rules={[{ required: true, message: t('login.required', { field: t('login.password') }) }]}
            >
              <Input.Password autoComplete="current-password" size="large" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block size="large" loading={busy}>
              {t('login.submit')}
            </Button>
          </Form>
        </Card>
        <Typography.Paragraph type="secondary" className="tv-login-foot">
          {t('app.footer')}
        </Typography.Paragraph>
      </main>
    </div>
  );
}
