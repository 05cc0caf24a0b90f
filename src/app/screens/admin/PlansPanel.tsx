import { useSignal } from '@preact/signals';
import type { Plan } from '../../../domain/checkpoints.js';
import { newId } from '../../../domain/ids.js';
import { t } from '../../i18n/index.js';
import { localName, plans, squads } from './admin-store.js';
import { draftFromPlan, newPlanDraft, type PlanDraft } from './drafts.js';
import { PlanForm } from './PlanForm.js';

/** "Squad A · 3 checkpoints · every 60 min, 20:00–06:00": a plan in one line. */
function summary(plan: Plan): string {
  const squad = squads.value.find((s) => s.id === plan.squadId);
  const rule =
    plan.rule.kind === 'interval'
      ? t('admin.plan.summaryInterval', { n: plan.rule.everyMin, from: plan.rule.from, to: plan.rule.to })
      : t('admin.plan.summaryPerShift', { n: plan.rule.times });
  return t('admin.plan.summary', { squad: squad ? localName(squad.name) : plan.squadId, n: plan.checkpointIds.length, rule });
}

/** The unit's patrol plans; one is edited at a time, above the list. */
export function PlansPanel() {
  const draft = useSignal<PlanDraft | null>(null);
  const list = plans.value;
  const current = draft.value;
  const firstSquad = squads.value[0]?.id;
  return (
    <section class="panel stack" aria-labelledby="admin-plan-title">
      <h2 id="admin-plan-title">{t('admin.plan.title')}</h2>
      {current ? (
        <PlanForm
          draft={current}
          onChange={(next) => (draft.value = next)}
          onSaved={(saved) => (draft.value = draftFromPlan(saved))}
          onDeleted={() => (draft.value = null)}
          onClose={() => (draft.value = null)}
        />
      ) : (
        firstSquad && (
          <button type="button" class="primary" onClick={() => (draft.value = newPlanDraft(newId(), firstSquad))}>
            {t('admin.plan.new')}
          </button>
        )
      )}
      {list.length === 0 && <p class="muted">{t('admin.plan.none')}</p>}
      <ul class="admin-list" data-testid="plan-list">
        {list.map((p) => (
          <li key={p.id}>
            <button type="button" aria-current={current?.id === p.id ? 'true' : undefined} onClick={() => (draft.value = draftFromPlan(p))}>
              <strong>{localName(p.name)}</strong>
              <span class="muted"> · {summary(p)}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
