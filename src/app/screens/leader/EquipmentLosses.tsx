import { useSignal } from '@preact/signals';
import { DEFAULT_EQUIPMENT } from '../../../domain/equipment.js';
import type { EquipmentLoss, EquipmentLossesResponse } from '../../../domain/protocol/shifts.js';
import { api } from '../../../store/api.js';
import { formatTime, locale, t } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';
import { usePolledApi } from '../../state/use-polled-api.js';

/** A missing firearm cannot wait a minute like the other lists. */
const REFRESH_MS = 15_000;
const lossKey = (l: EquipmentLoss) => `${l.officerId}/${l.shiftId}/${l.item}/${l.serial ?? ''}`;

/** Firearms and ammunition officers of the squad (leader) or unit (supervisor) did not return, on top until resolved. */
export function EquipmentLosses() {
  const { data, offline } = usePolledApi<EquipmentLossesResponse>('/api/shifts/equipment-losses', REFRESH_MS, ['shift']);
  const losses = data.value?.losses ?? [];
  if (losses.length === 0) return null;
  const resolved = (loss: EquipmentLoss) => {
    data.value = { losses: losses.filter((l) => lossKey(l) !== lossKey(loss)) };
  };
  return (
    <section class="panel alert-panel" role="alert" aria-labelledby="losses-title" data-testid="equipment-losses">
      <h2 id="losses-title">{t('losses.title', { n: losses.length })}</h2>
      {offline.value && <p class="form-error">{t('leader.needsNetwork')}</p>}
      <ul class="loss-list">
        {losses.map((l) => (
          <LossItem key={lossKey(l)} loss={l} onResolved={() => resolved(l)} />
        ))}
      </ul>
    </section>
  );
}

function LossItem({ loss, onResolved }: { loss: EquipmentLoss; onResolved: () => void }) {
  const resolving = useSignal(false);
  const note = useSignal('');
  const { busy, error, run } = useAction({ inline: true });
  const item = DEFAULT_EQUIPMENT.find((k) => k.item === loss.item)?.name[locale.value] ?? loss.item;

  function submit(event: Event) {
    event.preventDefault();
    void run(async () => {
      const { officerId, shiftId, serial } = loss;
      await api('/api/shifts/equipment-losses/resolve', { method: 'POST', body: { officerId, shiftId, item: loss.item, serial, note: note.value } });
      onResolved();
    });
  }

  return (
    <li data-officer={loss.officerId} data-item={loss.item}>
      <strong>{t('person.nameBadge', { name: loss.name, badge: loss.badge })}</strong>{' '}
      <span class="badge-bad">{loss.itemReturned ? t('losses.roundsShort', { n: loss.rounds ?? 0 }) : t('losses.itemMissing', { item })}</span>
      <div>
        {item}
        {loss.serial && ` ${loss.serial}`}
        {!loss.itemReturned && loss.rounds !== null && ` · ${t('losses.withRounds', { n: loss.rounds })}`}
      </div>
      <div>{t('losses.reason', { reason: loss.reason })}</div>
      <div class="muted">{t('losses.endedAt', { time: formatTime(loss.endedAt) })}</div>
      {resolving.value ? (
        <form class="stack" onSubmit={submit}>
          <label>
            {t('losses.note')}
            <input type="text" required maxLength={500} value={note.value} onInput={(e) => (note.value = e.currentTarget.value)} />
          </label>
          {error.value && <p class="form-error">{error.value}</p>}
          <button type="submit" class="primary" disabled={busy.value || !note.value.trim()}>
            {t('losses.confirm')}
          </button>
          <button type="button" onClick={() => (resolving.value = false)}>
            {t('shift.form.cancel')}
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => (resolving.value = true)}>
          {t('losses.resolve')}
        </button>
      )}
    </li>
  );
}
