import { useSignal } from '@preact/signals';
import { DEFAULT_EQUIPMENT, isControlledLoss, settleReturn, type EquipmentItem, type ReturnAnswer, type ReturnProblem } from '../../../domain/equipment.js';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { locale, t, type MessageKey } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';
import { endShift, type OpenShift } from '../../state/shift.js';

const nameOf = (item: string) => DEFAULT_EQUIPMENT.find((k) => k.item === item)?.name[locale.value] ?? item;
const PROBLEM_KEYS: Record<ReturnProblem, MessageKey> = {
  unanswered: 'shiftEnd.problem.unanswered',
  rounds: 'shiftEnd.problem.rounds',
  reason: 'shiftEnd.problem.reason',
};

/** Ending a shift: every item checked out is answered, returned or not; a firearm or ammunition not returned needs a reason. */
export function ShiftEndForm({ user, shift, onDone }: { user: SessionUser; shift: OpenShift; onDone: () => void }) {
  // Nothing is taken as returned: a pre-ticked list let one tap sign off a missing firearm.
  const answers = useSignal<ReturnAnswer[]>(shift.equipment.map(() => ({ returned: null, rounds: null, reason: '' })));
  const tried = useSignal(false);
  const { busy, run } = useAction();
  const settled = shift.equipment.map((item, i) => settleReturn(item, answers.value[i] ?? { returned: null, rounds: null, reason: '' }));
  const missing = settled.flatMap((s) => ('missing' in s && s.missing ? [s.missing] : []));
  const incomplete = settled.some((s) => 'problem' in s);

  const answer = (i: number, patch: Partial<ReturnAnswer>) => {
    answers.value = answers.value.map((a, j) => (j === i ? { ...a, ...patch } : a));
  };

  function submit(event: Event) {
    event.preventDefault();
    tried.value = true;
    if (incomplete) return;
    const returned = settled.flatMap((s) => ('returned' in s && s.returned ? [s.returned] : []));
    void run(async () => {
      await endShift(user, { returned, missing });
      onDone();
    });
  }

  return (
    <form class="panel stack shift-end" onSubmit={submit} aria-label={t('shift.endForm.title')} noValidate>
      <h2>{t('shift.endForm.title')}</h2>
      {shift.equipment.length > 0 && <p class="muted">{t('shiftEnd.hint')}</p>}
      {shift.equipment.map((item, i) => (
        <ItemReturn
          key={`${item.item}#${item.serial ?? ''}`}
          index={i}
          item={item}
          answer={answers.value[i] ?? { returned: null, rounds: null, reason: '' }}
          problem={tried.value ? problemOf(settled[i]) : null}
          onAnswer={(patch) => answer(i, patch)}
        />
      ))}
      {missing.length > 0 && (
        <div class="form-error" role="alert" data-testid="unreturned">
          <p>{t('shiftEnd.missing', { items: settled.flatMap(describe).join(t('shiftEnd.listSeparator')) })}</p>
          {missing.some(isControlledLoss) && <p>{t('shiftEnd.alerted')}</p>}
        </div>
      )}
      {tried.value && incomplete && (
        <p class="form-error" role="alert" data-testid="end-problems">
          {t('shiftEnd.incomplete')}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy.value}>
        {t('shift.endForm.submit')}
      </button>
      <button type="button" onClick={onDone}>
        {t('shift.form.cancel')}
      </button>
    </form>
  );
}

function problemOf(settled: ReturnType<typeof settleReturn> | undefined): ReturnProblem | null {
  return settled && 'problem' in settled ? settled.problem : null;
}

/** A missing item as the officer reads it: the item (with the rounds it carried), or only rounds short. */
function describe(settled: ReturnType<typeof settleReturn>): string[] {
  if (!('missing' in settled) || !settled.missing) return [];
  const { item, rounds } = settled.missing;
  if (settled.returned) return [t('shiftEnd.missingRounds', { item: nameOf(item), n: rounds ?? 0 })];
  return [rounds ? t('shiftEnd.missingWith', { item: nameOf(item), n: rounds }) : nameOf(item)];
}

/** One item: returned or not, the rounds handed back with a firearm, and why not when something is missing. */
function ItemReturn({
  index,
  item,
  answer,
  problem,
  onAnswer,
}: {
  index: number;
  item: EquipmentItem;
  answer: ReturnAnswer;
  problem: ReturnProblem | null;
  onAnswer: (patch: Partial<ReturnAnswer>) => void;
}) {
  const name = nameOf(item.item);
  const counted = !!item.rounds;
  const short = answer.returned === false || (answer.returned === true && counted && answer.rounds !== null && answer.rounds < (item.rounds ?? 0));
  const needsReason = short && isControlledLoss({ item: item.item, rounds: answer.returned === false ? item.rounds : 1 });
  return (
    <fieldset class="item-return" data-item={item.item} data-problem={problem ?? undefined}>
      <legend>
        {name}
        {item.serial && ` ${item.serial}`}
        {counted && ` · ${t('shiftEnd.roundsOut', { n: item.rounds ?? 0 })}`}
      </legend>
      <div class="choice">
        <label class="check">
          <input type="radio" name={`returned-${index}`} checked={answer.returned === true} onChange={() => onAnswer({ returned: true })} />{' '}
          {t('shiftEnd.returned')}
        </label>
        <label class="check">
          <input type="radio" name={`returned-${index}`} checked={answer.returned === false} onChange={() => onAnswer({ returned: false })} />{' '}
          {t('shiftEnd.notReturned')}
        </label>
      </div>
      {answer.returned === true && counted && (
        <label>
          {t('shiftEnd.roundsBack')}
          <input
            type="number"
            inputMode="numeric"
            min={0}
            max={item.rounds}
            value={answer.rounds ?? ''}
            onInput={(e) => {
              const text = e.currentTarget.value;
              onAnswer({ rounds: text === '' ? null : Math.max(0, Math.floor(Number(text) || 0)) });
            }}
          />
        </label>
      )}
      {short && (
        <label>
          {needsReason ? t('shiftEnd.reasonRequired') : t('shiftEnd.reasonOptional')}
          <input type="text" maxLength={500} value={answer.reason} onInput={(e) => onAnswer({ reason: e.currentTarget.value })} />
        </label>
      )}
      {problem && <p class="form-error">{t(PROBLEM_KEYS[problem], { n: item.rounds ?? 0 })}</p>}
    </fieldset>
  );
}
