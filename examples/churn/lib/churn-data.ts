/**
 * Synthetic customer-churn data. Customers are drawn feature by feature with realistic dependencies
 * (fibre internet costs more, long contracts come with long tenure, many support calls lower satisfaction),
 * and `churned` is sampled from a logistic ground truth plus noise, so a logistic regression can learn it
 * well but not perfectly. Categorical features are coded as small integers.
 */
import { Rng } from './random';

export const FEATURES = [
  'tenure_months',
  'monthly_charges',
  'total_charges',
  'contract_type',
  'payment_method',
  'internet_service',
  'streaming_services',
  'paperless_billing',
  'support_calls',
  'num_products',
  'age',
  'avg_monthly_gb',
  'late_payments_12m',
  'satisfaction_score',
  'has_partner',
  'has_dependents',
  'tech_support',
  'days_since_last_login',
  'discount_pct',
  'referrals',
] as const;

export const LABEL = 'churned';

export type Customer = Record<(typeof FEATURES)[number], number>;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Draws one customer's features; the order of draws is fixed so a seed always gives the same data. */
export function drawCustomer(rng: Rng): Customer {
  const contract = rng.categorical([0.55, 0.25, 0.2]); // month-to-month, one year, two year
  const tenure = Math.round(clamp(rng.exponential(9 + 16 * contract), 0, 72));
  const internet = rng.categorical([0.2, 0.35, 0.45]); // none, DSL, fibre
  const streaming = internet > 0 ? rng.bernoulli(0.4) + rng.bernoulli(0.4) : 0;
  const monthly = round2(clamp(20 + 25 * (internet === 1 ? 1 : 0) + 45 * (internet === 2 ? 1 : 0) + 10 * streaming + rng.normal(0, 8), 18, 120));
  const total = round2(Math.max(0, tenure * monthly * (1 + rng.normal(0, 0.05))));
  const payment = rng.categorical([0.35, 0.2, 0.22, 0.23]); // electronic check, mailed check, bank transfer, card
  const supportCalls = rng.poisson(1.2 + (internet === 2 ? 1 : 0));
  const partner = rng.bernoulli(0.48);
  return {
    tenure_months: tenure,
    monthly_charges: monthly,
    total_charges: total,
    contract_type: contract,
    payment_method: payment,
    internet_service: internet,
    streaming_services: streaming,
    paperless_billing: rng.bernoulli(0.6),
    support_calls: supportCalls,
    num_products: Math.min(6, 1 + rng.poisson(1)),
    age: Math.round(clamp(rng.normal(45, 14), 18, 85)),
    avg_monthly_gb: internet === 0 ? 0 : round2(Math.exp(rng.normal(internet === 2 ? 4.2 : 3.4, 0.6))),
    late_payments_12m: rng.poisson(0.4 + (payment === 0 ? 0.6 : 0)),
    satisfaction_score: Math.round(clamp(4 - 0.35 * supportCalls + rng.normal(0, 0.9), 1, 5)),
    has_partner: partner,
    has_dependents: rng.bernoulli(partner ? 0.45 : 0.15),
    tech_support: internet > 0 ? rng.bernoulli(0.35) : 0,
    days_since_last_login: Math.round(clamp(rng.exponential(12), 0, 365)),
    discount_pct: rng.bernoulli(0.3) ? Math.round(rng.uniform(5, 30)) : 0,
    referrals: rng.poisson(0.5),
  };
}

/** The ground-truth log-odds of churn, before noise. */
export function churnLogit(c: Customer): number {
  return (
    -0.55 -
    0.045 * c.tenure_months +
    0.018 * (c.monthly_charges - 65) -
    (c.contract_type === 1 ? 0.9 : c.contract_type === 2 ? 1.8 : 0) +
    (c.payment_method === 0 ? 0.45 : 0) +
    (c.internet_service === 2 ? 0.35 : 0) +
    0.32 * c.support_calls -
    0.25 * (c.num_products - 2) -
    0.008 * (c.age - 45) +
    0.4 * c.late_payments_12m -
    0.45 * (c.satisfaction_score - 3) -
    0.25 * c.has_partner -
    0.2 * c.has_dependents +
    0.2 * c.paperless_billing -
    0.35 * c.tech_support +
    0.03 * (c.days_since_last_login - 12) -
    0.02 * c.discount_pct -
    0.2 * c.referrals
  );
}

export interface ChurnDataset {
  header: string[];
  train: number[][];
  holdout: number[][];
}

/** `rows` customers split train/holdout (holdout ≈ `holdoutShare`); each row is the features then the label. */
export function generateChurn(rows: number, seed: number, holdoutShare = 0.2): ChurnDataset {
  if (!Number.isInteger(rows) || rows < 10) throw new RangeError(`--rows must be an integer of at least 10, got ${rows}`);
  const rng = new Rng(seed);
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const c = drawCustomer(rng);
    const z = churnLogit(c) + rng.normal(0, 0.5);
    const label = rng.bernoulli(1 / (1 + Math.exp(-z)));
    out.push([...FEATURES.map((f) => c[f]), label]);
  }
  const nHoldout = Math.max(1, Math.round(rows * holdoutShare));
  return { header: [...FEATURES, LABEL], train: out.slice(0, rows - nHoldout), holdout: out.slice(rows - nHoldout) };
}
