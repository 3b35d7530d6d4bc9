import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useTitle } from '../components/use-title.ts';

export function NotFoundPage() {
  const { t } = useTranslation('shell');
  useTitle(t('notFound.title'));
  const navigate = useNavigate();
  return (
    <Result
      status="404"
      title={<h1 className="tv-result-title">{t('notFound.title')}</h1>}
      extra={
        <Button type="primary" onClick={() => void navigate('/')}>
          {t('notFound.back')}
        </Button>
      }
    />
  );
}
