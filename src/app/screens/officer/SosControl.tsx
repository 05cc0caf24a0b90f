import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { SOS_HOLD_MS } from '../../../domain/protocol/squad.js';
import { formatTime, t } from '../../i18n/index.js';
import { sosAlerts } from '../../state/local-copies.js';
import { online } from '../../state/network.js';
import { notify } from '../../state/notices.js';
import { activeSos, cancelSos, raiseSos } from '../../state/sos.js';
import { useAction } from '../../state/use-action.js';

const TICK_MS = 100;

/**
 * The officer's SOS, in the thumb's reach at the bottom of the screen: hold it 2 s (a countdown
 * says how long; letting go cancels) and the SOS goes; then the state and who acknowledged it,
 * and a cancel. Keyboard: hold Space or Enter.
 */
export function SosControl({ user }: { user: SessionUser }) {
  const left = useSignal<number | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);
  const { busy, run } = useAction();
  useEffect(() => () => clearInterval(timer.current), []);

  const release = () => {
    clearInterval(timer.current);
    left.value = null;
  };
  const press = () => {
    if (left.value !== null || busy.value) return;
    const started = Date.now();
    left.value = SOS_HOLD_MS;
    timer.current = setInterval(() => {
      const remaining = SOS_HOLD_MS - (Date.now() - started);
      if (remaining > 0) {
        left.value = remaining;
        return;
      }
      release();
      navigator.vibrate?.(400);
      void run(() => raiseSos(user));
    }, TICK_MS);
  };

  const active = activeSos.value;
  if (active) {
    const answer = sosAlerts.value.find((a) => a.id === active.alertId);
    return (
      <section class="sos-active" role="status" aria-live="assertive" data-testid="sos-active">
        <strong>{t('sos.on')}</strong>
        {answer?.ackedBy && answer.ackedAt ? (
          <p class="sos-acked" data-testid="sos-acked">
            {t('sos.acked', { name: answer.ackedBy.name, time: formatTime(answer.ackedAt) })}
          </p>
        ) : (
          <p>{online.value ? t('sos.sent') : t('sos.queued')}</p>
        )}
        <button
          type="button"
          disabled={busy.value}
          onClick={() =>
            run(async () => {
              await cancelSos(user);
              notify('info', () => t('sos.cancelled'));
            })
          }
        >
          {t('sos.cancel')}
        </button>
      </section>
    );
  }
  const holding = left.value !== null;
  return (
    <div class="sos-dock">
      {holding && (
        <p class="sos-countdown" role="status" data-testid="sos-countdown">
          {t('sos.countdown', { n: Math.ceil((left.value ?? 0) / 1000) })}
        </p>
      )}
      <button
        type="button"
        class={holding ? 'sos-button holding' : 'sos-button'}
        data-testid="sos-button"
        aria-label={t('sos.hold')}
        disabled={busy.value}
        onPointerDown={(event) => {
          (event.currentTarget as HTMLElement).setPointerCapture?.(event.pointerId);
          press();
        }}
        onPointerUp={release}
        onPointerCancel={release}
        onKeyDown={(event) => (event.key === ' ' || event.key === 'Enter') && (event.preventDefault(), press())}
        onKeyUp={(event) => (event.key === ' ' || event.key === 'Enter') && release()}
        onContextMenu={(event) => event.preventDefault()}
      >
        <span class="sos-word">{t('sos.button')}</span>
        <span class="sos-hint">{t('sos.hold')}</span>
      </button>
    </div>
  );
}
