/**
 * The converter of a CRD from its `spec.conversion`, as upstream's CRConverterFactory: `None` (or no
 * conversion) rewrites apiVersion only; `Webhook` calls the CRD's conversion webhook.
 */
import type { Crd } from '../crd.js';
import { noneConverter, type ObjectConverter } from './converter.js';
import { WebhookConverter, type ServiceDialer, type WebhookConversion } from './webhook-converter.js';

/** The converter of `crd`; `dialer` resolves `clientConfig.service` (absent: a Service cannot be dialled). */
export function converterFor(crd: Crd, dialer?: ServiceDialer): ObjectConverter {
  const conversion = crd.spec.conversion as { strategy?: string; webhook?: WebhookConversion } | undefined;
  if (conversion?.strategy === 'Webhook') return new WebhookConverter(conversion.webhook ?? {}, dialer);
  return noneConverter;
}
