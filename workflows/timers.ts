import { condition } from '@temporalio/workflow';

/** How long a renewal waits before each reminder or deadline; set from lib/config.ts at start. */
export interface RenewalTimers {
  attachmentsReminderWorkingDays: number;
  attachmentsCancelDays: number;
  approvalReminderWorkingDays: number;
  /** After this many working days the N+2 is told that they may approve. */
  approvalN2WorkingDays: number;
  /** After this many working days the request goes to the operators' queue as stalled. */
  approvalStalledWorkingDays: number;
  /** Mobile system, enrollment email and charter: the agent's own steps. */
  agentReminderWorkingDays: number;
  appointmentReminderHours: number;
  /** Hours after the start of a pickup slot with no handover before it counts as missed. */
  appointmentMissedHours: number;
}

export const defaultTimers: RenewalTimers = {
  attachmentsReminderWorkingDays: 3,
  attachmentsCancelDays: 30,
  approvalReminderWorkingDays: 3,
  approvalN2WorkingDays: 5,
  approvalStalledWorkingDays: 10,
  agentReminderWorkingDays: 5,
  appointmentReminderHours: 24,
  appointmentMissedHours: 3,
};

/** Something to do at an instant (epoch ms, workflow time) unless the wait is over by then. */
export interface Alarm {
  at: number;
  /** Shown on the timer in the Temporal UI. */
  summary: string;
  fire: () => Promise<void>;
}

/**
 * Waits until `done()`, firing each alarm in time order while it is not. Each alarm is one durable
 * timer; an alarm already past when the wait begins is dropped (a pickup booked for tomorrow
 * morning gets no "the day before" reminder).
 */
export async function waitWithAlarms(done: () => boolean, alarms: Alarm[]): Promise<void> {
  const now = Date.now();
  const due = alarms.filter((a) => a.at > now).sort((a, b) => a.at - b.at);
  for (const alarm of due) {
    if (done()) return;
    const ms = alarm.at - Date.now();
    if (ms > 0 && (await condition(done, ms, { summary: alarm.summary }))) return;
    await alarm.fire();
  }
  await condition(done);
}
