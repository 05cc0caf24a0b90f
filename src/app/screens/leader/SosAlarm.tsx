import { useEffect } from 'preact/hooks';
import type { SosAlert } from '../../../domain/protocol/squad.js';
import { formatTime, t } from '../../i18n/index.js';
import { fixAge } from '../../map/position-marker.js';
import { alarmingAlerts, acknowledge, serverNow } from '../../state/squad-live.js';
import { useAction } from '../../state/use-action.js';

/** Two tones, alternating every half second: a siren, made here so there is no sound file to fetch or cache. */
const TONES = [880, 660];
const STEP_MS = 500;
/** Vibration while alarming, repeated: long pulses a pocket can feel. */
const BUZZ = [600, 200, 600, 200, 600];
const BUZZ_EVERY_MS = 2_500;

/**
 * Sounds and vibrates while any alert is unacknowledged. The page was opened by a tap (sign-in),
 * so Chromium and Safari let an AudioContext start; where one cannot, the banner still stays.
 */
function useAlarm(on: boolean): void {
  useEffect(() => {
    if (!on) return;
    let context: AudioContext | null = null;
    let oscillator: OscillatorNode | null = null;
    try {
      context = new AudioContext();
      const gain = context.createGain();
      gain.gain.value = 0.2;
      oscillator = context.createOscillator();
      oscillator.type = 'square';
      oscillator.connect(gain).connect(context.destination);
      oscillator.start();
      void context.resume().catch((error: unknown) => console.warn('alarm sound blocked by the browser', error));
    } catch (error) {
      console.warn('no alarm sound on this browser', error);
    }
    let step = 0;
    const siren = setInterval(() => {
      step++;
      if (oscillator && context) oscillator.frequency.setValueAtTime(TONES[step % TONES.length] ?? 880, context.currentTime);
    }, STEP_MS);
    const buzz = () => navigator.vibrate?.(BUZZ);
    buzz();
    const buzzing = setInterval(buzz, BUZZ_EVERY_MS);
    return () => {
      clearInterval(siren);
      clearInterval(buzzing);
      navigator.vibrate?.(0);
      oscillator?.stop();
      void context?.close();
    };
  }, [on]);
}

/** One alert's banner: who, when, where, and the button that stops the alarm for everyone. */
function AlertBanner({ alert }: { alert: SosAlert }) {
  const { busy, run } = useAction();
  const age = alert.fix ? fixAge(Date.parse(alert.fix.fixAt), serverNow()) : null;
  return (
    <div class="sos-banner" role="alert" data-testid="sos-banner" data-alert={alert.id} data-cancelled={alert.cancelledAt ? 'yes' : 'no'}>
      <strong>{t('sos.alarm', { name: alert.officer.name, badge: alert.officer.badge })}</strong>
      <p>
        {alert.raisedAt && t('sos.raisedAt', { time: formatTime(alert.raisedAt) })} ·{' '}
        {alert.fix && age ? t('sos.where', { m: Math.round(alert.fix.accuracy), age: t(`map.positionAge.${age.unit}`, { n: age.n }) }) : t('sos.noFix')}
      </p>
      {alert.cancelledAt && <p>{t('sos.cancelledAt', { time: formatTime(alert.cancelledAt) })}</p>}
      <button type="button" class="sos-ack" disabled={busy.value} onClick={() => run(() => acknowledge(alert.id))}>
        {t('sos.ack')}
      </button>
    </div>
  );
}

/** The banners of every unacknowledged SOS, fixed at the top of the screen, and the alarm while there are any. */
export function SosAlarm() {
  const alerts = alarmingAlerts.value;
  useAlarm(alerts.length > 0);
  if (alerts.length === 0) return null;
  return (
    <div class="sos-banners">
      {alerts.map((a) => (
        <AlertBanner key={a.id} alert={a} />
      ))}
    </div>
  );
}
