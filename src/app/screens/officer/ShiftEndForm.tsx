import { useSignal } from '@preact/signals';
import { DEFAULT_EQUIPMENT, unreturned, type EquipmentItem } from '../../../domain/equipment.js';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { locale, t } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';
import { endShift, type OpenShift } from '../../state/shift.js';

const nameOf = (item: string) => DEFAULT_EQUIPMENT.find((k) => k.item === item)?.name[locale.value] ?? item;

/** Ending a shift: tick what comes back; anything missing is named and needs a second, deliberate tap. */
export function ShiftEndForm({ user, shift, onDone }: { user: SessionUser; shift: OpenShift; onDone: () => void }) {
  const returned = useSignal<EquipmentItem[]>(shift.equipment.map((e) => ({ ...e })));
  const { busy, run } = useAction();
  const missing = unreturned(shift.equipment, returned.value);

  const toggle = (item: EquipmentItem) => {
    const has = returned.value.some((r) => r.item === item.item && r.serial === item.serial);
    returned.value = has ? returned.value.filter((r) => !(r.item === item.item && r.serial === item.serial)) : [...returned.value, { ...item }];
  };
  const setRounds = (item: EquipmentItem, rounds: number) => {
    returned.value = returned.value.map((r) => (r.item === item.item && r.serial === item.serial ? { ...r, rounds } : r));
  };

  function submit(event: Event) {
    event.preventDefault();
    void run(async () => {
      await endShift(user, returned.value);
      onDone();
    });
  }

  return (
    <form class="panel stack" onSubmit={submit} aria-label={t('shift.endForm.title')}>
      <h2>{t('shift.endForm.title')}</h2>
      {shift.equipment.length > 0 && (
        <fieldset>
          <legend>{t('shift.endForm.returned')}</legend>
          {shift.equipment.map((item) => {
            const back = returned.value.find((r) => r.item === item.item && r.serial === item.serial);
            return (
              <div key={`${item.item}#${item.serial ?? ''}`} class="equipment">
                <label class="check">
                  <input type="checkbox" checked={!!back} onChange={() => toggle(item)} /> {nameOf(item.item)} {item.serial ?? ''}
                </label>
                {back && item.rounds !== undefined && (
                  <input
                    type="number"
                    min={0}
                    max={1000}
                    aria-label={t('shift.form.rounds')}
                    value={back.rounds ?? 0}
                    onInput={(e) => setRounds(item, Math.max(0, Math.floor(Number(e.currentTarget.value) || 0)))}
                  />
                )}
              </div>
            );
          })}
        </fieldset>
      )}
      {missing.length > 0 && (
        <p class="form-error" role="alert" data-testid="unreturned">
          {t('shift.endForm.unreturned', { items: missing.map((m) => `${nameOf(m.item)}${m.rounds !== undefined ? ` (${m.rounds})` : ''}`).join('、') })}
        </p>
      )}
      <button type="submit" class={missing.length ? '' : 'primary'} disabled={busy.value}>
        {missing.length ? t('shift.endForm.confirm') : t('shift.endForm.submit')}
      </button>
      <button type="button" onClick={onDone}>
        {t('shift.form.cancel')}
      </button>
    </form>
  );
}
