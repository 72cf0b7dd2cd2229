import type { TriggerRecord } from '../../core/types';

/**
 * Topic → subscribed triggers. Kept per trigger id so that unsubscribing one trigger removes
 * exactly that trigger (the reference engine's local adapter drops the whole topic, a bug we do
 * not reproduce), and so that a replayed registration with the same id replaces its binding.
 */
export class TopicSubscriptions {
  private readonly byTopic = new Map<string, Map<string, TriggerRecord>>();
  private readonly topicOf = new Map<string, string>();

  /** Adds or replaces the binding of `trigger.id`. An empty topic is accepted and never matches. */
  add(trigger: TriggerRecord, topic: string): void {
    this.remove(trigger.id);
    if (topic === '') return;
    let triggers = this.byTopic.get(topic);
    if (triggers === undefined) {
      triggers = new Map();
      this.byTopic.set(topic, triggers);
    }
    triggers.set(trigger.id, trigger);
    this.topicOf.set(trigger.id, topic);
  }

  remove(triggerId: string): void {
    const topic = this.topicOf.get(triggerId);
    if (topic === undefined) return;
    this.topicOf.delete(triggerId);
    const triggers = this.byTopic.get(topic);
    if (triggers === undefined) return;
    triggers.delete(triggerId);
    if (triggers.size === 0) this.byTopic.delete(topic);
  }

  /** A snapshot, so deliveries are unaffected by (un)subscriptions that happen meanwhile. */
  subscribers(topic: string): TriggerRecord[] {
    const triggers = this.byTopic.get(topic);
    return triggers === undefined ? [] : [...triggers.values()];
  }

  clear(): void {
    this.byTopic.clear();
    this.topicOf.clear();
  }
}
