import { z } from 'zod';
import { Id, Locale, NotificationChannel, UtcDateTime } from './common.schemas';
import { defineEvent, EventData } from './event-contract';

/** Wire names of the notifications service's integration events (topic `notifications.events`). */
export const NotificationsEventTypes = {
  NotificationSent: 'fulfil.notifications.NotificationSent',
  NotificationFailed: 'fulfil.notifications.NotificationFailed',
  SurveySent: 'fulfil.notifications.SurveySent',
  FeedbackRecorded: 'fulfil.notifications.FeedbackRecorded',
  CustomerServiceAlertRaised: 'fulfil.notifications.CustomerServiceAlertRaised',
} as const;

/** Customer-visible milestones; each is sent at most once per `milestoneKey` (R-NOT-9). */
export const NotificationMilestone = z.enum([
  'order-confirmed',
  'order-cancelled',
  'order-lines-cancelled',
  'payment-failed',
  'shipment-dispatched',
  'daily-in-transit-update',
  'out-for-delivery',
  'delivery-attempt-failed',
  'available-for-pickup',
  'delivered',
  'delay-apology',
  'exception-apology',
  'satisfaction-survey',
  'case-opened',
  'pickup-booked',
  'refund-issued',
  'case-resolved',
]);

const related = {
  customerId: Id,
  orderId: Id.optional(),
  shipmentId: Id.optional(),
  caseId: Id.optional(),
};

const notification = {
  notificationId: Id,
  ...related,
  milestone: NotificationMilestone,
  /** Deduplication key of the milestone, e.g. `order-confirmed:<orderId>`. */
  milestoneKey: z.string().min(1).max(256),
  channel: NotificationChannel,
  locale: Locale,
  attempt: z.number().int().positive(),
};

export const NotificationSentV1 = defineEvent({
  service: 'notifications',
  aggregate: 'Notification',
  subject: 'notificationId',
  type: NotificationsEventTypes.NotificationSent,
  version: 1,
  summary: 'A customer message was handed to the channel provider.',
  requirements: ['R-NOT-1', 'R-NOT-8', 'R-NOT-9', 'R-DATA-1'],
  schema: z.strictObject({ ...notification, providerMessageId: z.string().max(128).optional() }),
});
export type NotificationSentV1Data = EventData<typeof NotificationSentV1>;

export const NotificationFailedV1 = defineEvent({
  service: 'notifications',
  aggregate: 'Notification',
  subject: 'notificationId',
  type: NotificationsEventTypes.NotificationFailed,
  version: 1,
  summary: 'A send attempt failed; `nextAttemptAt` is set while it will be retried.',
  requirements: ['R-NOT-9'],
  schema: z.strictObject({
    ...notification,
    errorCode: z.string().min(1).max(64),
    willRetry: z.boolean(),
    nextAttemptAt: UtcDateTime.optional(),
  }),
});
export type NotificationFailedV1Data = EventData<typeof NotificationFailedV1>;

export const SurveySentV1 = defineEvent({
  service: 'notifications',
  aggregate: 'Survey',
  subject: 'surveyId',
  type: NotificationsEventTypes.SurveySent,
  version: 1,
  summary: 'A satisfaction/NPS survey went out after delivery.',
  requirements: ['R-NOT-6'],
  schema: z.strictObject({
    surveyId: Id,
    notificationId: Id,
    customerId: Id,
    orderId: Id,
    channel: NotificationChannel,
    expiresAt: UtcDateTime,
  }),
});
export type SurveySentV1Data = EventData<typeof SurveySentV1>;

const Score = z.number().int().min(1).max(5);

export const FeedbackRecordedV1 = defineEvent({
  service: 'notifications',
  aggregate: 'Feedback',
  subject: 'feedbackId',
  type: NotificationsEventTypes.FeedbackRecorded,
  version: 1,
  summary: 'A survey answer or review was recorded; `negative` opens a case (R-AS-4).',
  requirements: ['R-NOT-6', 'R-AS-4', 'R-DATA-1'],
  schema: z.strictObject({
    feedbackId: Id,
    surveyId: Id.optional(),
    customerId: Id,
    orderId: Id,
    source: z.enum(['survey', 'review']),
    nps: z.number().int().min(0).max(10).optional(),
    scores: z.strictObject({
      payment: Score.optional(),
      delivery: Score.optional(),
      product: Score.optional(),
    }),
    negative: z.boolean(),
    hasWrittenFeedback: z.boolean(),
  }),
});
export type FeedbackRecordedV1Data = EventData<typeof FeedbackRecordedV1>;

export const CustomerServiceAlertRaisedV1 = defineEvent({
  service: 'notifications',
  aggregate: 'Alert',
  subject: 'alertId',
  type: NotificationsEventTypes.CustomerServiceAlertRaised,
  version: 1,
  summary: 'Customer service must act: delay, deadline breach, negative feedback, churn risk.',
  requirements: ['R-NOT-10', 'R-AS-4'],
  schema: z.strictObject({
    alertId: Id,
    ...related,
    feedbackId: Id.optional(),
    kind: z.enum([
      'shipment-delayed',
      'shipment-exception',
      'case-deadline-breached',
      'negative-feedback',
      'churn-risk',
      'notification-undeliverable',
    ]),
    severity: z.enum(['low', 'medium', 'high']),
    raisedBecauseOf: z.strictObject({ eventId: Id, eventType: z.string().min(1).max(128) }),
  }),
});
export type CustomerServiceAlertRaisedV1Data = EventData<typeof CustomerServiceAlertRaisedV1>;

/** Every notifications contract, in documentation order. */
export const NOTIFICATIONS_EVENT_CONTRACTS = [
  NotificationSentV1,
  NotificationFailedV1,
  SurveySentV1,
  FeedbackRecordedV1,
  CustomerServiceAlertRaisedV1,
] as const;
