// The alert rules applied to `transitions$`: a rule fires when a service enters one of its states, or
// once it has been in its state for a duration (timed on the supervisor's clock); one "resolved" follows
// a firing when the service is HEALTHY again. Within one episode each state alerts once, so an
// escalation (WARNING, then RECONNECTING, then UNREACHABLE) is told step by step while long-cycle
// retries are not; a cooldown per service, rule and state keeps a flapping service quiet, and the alerts of one grouping window go to each sink as one notification. Handling a
// transition only queues work: no sink is ever awaited here.

import type { Observable, Subscription } from 'rxjs';
import type { AlertRuleConfig, AlertsConfig } from '../config/model.js';
import type { Priority } from '../machines/defaults.js';
import type { Transition } from '../supervisor/transition.js';
import type { Alert, AlertNotification } from './alert-notification.js';
import type { DeliveryTimers } from './alert-delivery.js';

/** What the filters need to know of a service beyond its transition. */
export interface ServiceFacts {
  priority: Priority | null;
  profile: string | null;
}

/** The rules, the delivery, the clock and the facts an {@link AlertEngine} works with. */
export interface AlertEngineOptions {
  config: Pick<AlertsConfig, 'rules' | 'groupWindow'>;
  /** Hands a notification to a sink's delivery queue; returns at once. */
  enqueue: (sink: string, notification: AlertNotification) => void;
  timers: DeliveryTimers & { now(): number };
  /** A service's priority and profile (null when unknown). */
  describe: (service: string) => ServiceFacts;
  /** Told of every alert sent and every one the cooldown held back (the metrics count them). */
  onAlert?: (rule: string, status: Alert['status'] | 'suppressed') => void;
}

/** One service inside one rule's condition, from the transition that began it. */
interface Episode {
  since: number;
  /** The latest transition of the episode: what the alert tells. */
  last: Transition;
  /** The rule sent a firing alert during this episode (so a resolved one is due on recovery). */
  fired: boolean;
  /** The states this episode has alerted for, or held back by the cooldown: it alerts for each once. */
  alerted: Set<string>;
  /** A duration rule's timer, until it fires. */
  timer: unknown;
}

/** Applies the alert rules to transitions, with cooldowns and grouping windows; hands notifications to the deliveries. */
export class AlertEngine {
  private readonly episodes = new Map<string, Episode>();
  /** When each rule last fired for each service (and state): the cooldown outlives an episode. */
  private readonly lastFired = new Map<string, number>();
  private readonly pending = new Map<string, Alert[]>();
  private groupTimer: unknown = null;

  constructor(private readonly options: AlertEngineOptions) {}

  /** Applies the rules to every transition until the returned subscription is unsubscribed. */
  observe(transitions$: Observable<Transition>): Subscription {
    const subscription = transitions$.subscribe({ next: (transition) => this.handle(transition), complete: () => this.flush() });
    subscription.add(() => this.stop());
    return subscription;
  }

  handle(transition: Transition): void {
    if (transition.to === 'REMOVED') return this.forgetService(transition.service);
    const facts = this.options.describe(transition.service);
    for (const rule of this.options.config.rules) {
      if (!matches(rule, transition, facts)) continue;
      if (rule.trigger.kind === 'enters') this.applyEnters(rule, rule.trigger.states, transition, facts);
      else this.applyLasts(rule, rule.trigger.state, rule.trigger.forMs, transition, facts);
    }
  }

  /** Sends what the grouping window holds now (also when the stream completes). */
  flush(): void {
    if (this.groupTimer !== null) this.options.timers.clearTimeout(this.groupTimer);
    this.groupTimer = null;
    for (const [sink, alerts] of this.pending) this.options.enqueue(sink, { alerts, test: false });
    this.pending.clear();
  }

  /** Cancels every duration timer and the grouping window (what is pending is dropped). */
  stop(): void {
    for (const episode of this.episodes.values()) if (episode.timer !== null) this.options.timers.clearTimeout(episode.timer);
    this.episodes.clear();
    if (this.groupTimer !== null) this.options.timers.clearTimeout(this.groupTimer);
    this.groupTimer = null;
    this.pending.clear();
  }

  private applyEnters(rule: AlertRuleConfig, states: readonly string[], transition: Transition, facts: ServiceFacts) {
    const key = episodeKey(rule, transition.service);
    const episode = this.episodes.get(key);
    if (states.includes(transition.to)) {
      const current = episode ?? { since: transition.at, last: transition, fired: false, alerted: new Set(), timer: null };
      current.last = transition;
      this.episodes.set(key, current);
      if (current.alerted.has(transition.to)) return;
      current.alerted.add(transition.to);
      if (this.fire(rule, current, transition.at, facts, `${key}\u0000${transition.to}`)) current.fired = true;
    } else if (transition.to === 'HEALTHY' && episode) {
      this.episodes.delete(key);
      if (episode.fired) this.resolve(rule, episode, transition, facts);
    } else if (episode) {
      episode.last = transition;
    }
  }

  private applyLasts(rule: AlertRuleConfig, state: string, forMs: number, transition: Transition, facts: ServiceFacts) {
    const key = episodeKey(rule, transition.service);
    const episode = this.episodes.get(key);
    if (transition.to === state) {
      if (episode) {
        episode.last = transition;
        return;
      }
      const started: Episode = { since: transition.at, last: transition, fired: false, alerted: new Set([state]), timer: null };
      started.timer = this.options.timers.setTimeout(() => {
        started.timer = null;
        if (this.fire(rule, started, this.options.timers.now(), facts, key)) started.fired = true;
      }, forMs);
      this.episodes.set(key, started);
      return;
    }
    if (!episode) return;
    // A retry out of the state (UNREACHABLE → RECONNECTING for one attempt) is part of the episode.
    if (transition.to === 'RECONNECTING' && transition.from === state) {
      episode.last = transition;
      return;
    }
    if (episode.timer !== null) this.options.timers.clearTimeout(episode.timer);
    this.episodes.delete(key);
    if (episode.fired && transition.to === 'HEALTHY') this.resolve(rule, episode, transition, facts);
  }

  /** Queues a firing alert unless the cooldown (kept under `cooldownKey`) holds it back; true when queued. */
  private fire(rule: AlertRuleConfig, episode: Episode, at: number, facts: ServiceFacts, cooldownKey: string): boolean {
    const previous = this.lastFired.get(cooldownKey);
    if (previous !== undefined && at - previous < rule.cooldown) {
      this.options.onAlert?.(rule.name, 'suppressed');
      return false;
    }
    this.lastFired.set(cooldownKey, at);
    const last = episode.last;
    const state = rule.trigger.kind === 'lasts' ? rule.trigger.state : last.to;
    const lasted = rule.trigger.kind === 'lasts' ? `; ${state} for more than ${formatSeconds(rule.trigger.forMs)}` : '';
    this.queue(rule, {
      status: 'firing',
      rule: rule.name,
      service: last.service,
      agent: last.agent,
      state: state === 'REMOVED' ? 'DISCONNECTED' : state,
      from: rule.trigger.kind === 'lasts' ? null : last.from,
      cause: last.cause,
      reason: `${last.reason}${lasted}`,
      at,
      since: episode.since,
      ...facts,
    });
    return true;
  }

  private resolve(rule: AlertRuleConfig, episode: Episode, transition: Transition, facts: ServiceFacts) {
    if (!rule.resolved) return;
    this.queue(rule, {
      status: 'resolved',
      rule: rule.name,
      service: transition.service,
      agent: transition.agent,
      state: 'HEALTHY',
      from: transition.from,
      cause: transition.cause,
      reason: transition.reason,
      at: transition.at,
      since: episode.since,
      ...facts,
    });
  }

  private queue(rule: AlertRuleConfig, alert: Alert) {
    this.options.onAlert?.(rule.name, alert.status);
    for (const sink of rule.sinks) {
      const alerts = this.pending.get(sink) ?? [];
      alerts.push(alert);
      this.pending.set(sink, alerts);
    }
    if (this.options.config.groupWindow === 0) this.flush();
    else this.groupTimer ??= this.options.timers.setTimeout(() => this.flush(), this.options.config.groupWindow);
  }

  private forgetService(service: string) {
    for (const [key, episode] of this.episodes) {
      if (episode.last.service !== service) continue;
      if (episode.timer !== null) this.options.timers.clearTimeout(episode.timer);
      this.episodes.delete(key);
    }
    for (const key of this.lastFired.keys()) if (key.split('\u0000')[1] === service) this.lastFired.delete(key);
  }
}

/** Every filter the rule sets must hold (absent filters hold for any service). */
export function matches(rule: AlertRuleConfig, transition: Pick<Transition, 'service' | 'agent'>, facts: ServiceFacts): boolean {
  if (rule.services && !rule.services.includes(transition.service)) return false;
  if (rule.agents && (transition.agent === null || !rule.agents.includes(transition.agent))) return false;
  if (rule.priorities && (facts.priority === null || !rule.priorities.includes(facts.priority))) return false;
  if (rule.profiles && (facts.profile === null || !rule.profiles.includes(facts.profile))) return false;
  return true;
}

const episodeKey = (rule: AlertRuleConfig, service: string) => `${rule.name}\u0000${service}`;

function formatSeconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}
