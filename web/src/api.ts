// The console speaks the same Connect API as every other client: Connect
// JSON over fetch, with the API key as a Bearer credential. protojson
// leaves out zero values, so every field here is optional, and int64
// values arrive as strings.

const keyStorage = "personajudge.apiKey";

export function apiKey(): string {
  return sessionStorage.getItem(keyStorage) ?? "";
}

export function setAPIKey(key: string): void {
  if (key) {
    sessionStorage.setItem(keyStorage, key);
  } else {
    sessionStorage.removeItem(keyStorage);
  }
}

export class RPCError extends Error {
  constructor(public code: string, message: string) {
    super(`${code}: ${message}`);
  }
}

// call invokes one unary RPC, e.g. call("ConsoleService", "ListJudgments", {...}).
export async function call<T>(service: string, method: string, body: object): Promise<T> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "Connect-Protocol-Version": "1",
  };
  const key = apiKey();
  if (key) {
    headers["Authorization"] = `Bearer ${key}`;
  }
  const resp = await fetch(`/personajudge.v1.${service}/${method}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  const text = await resp.text();
  let data: any = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    throw new RPCError("unknown", `HTTP ${resp.status}: ${text.slice(0, 200)}`);
  }
  if (!resp.ok) {
    throw new RPCError(data.code ?? "unknown", data.message ?? `HTTP ${resp.status}`);
  }
  return data as T;
}

export interface Verdict {
  choice?: number;
  tie?: boolean;
  score?: number;
}

export interface Label {
  choice?: number;
  tie?: boolean;
  score?: number;
}

export interface JudgmentSummary {
  judgmentId: string;
  itemId?: string;
  kind?: string;
  judgeProfile?: string;
  status?: string;
  reasonCode?: string;
  reason?: string;
  verdict?: Verdict;
  verbalCertainty?: number;
  calibratedProbability?: number;
  positionConsistency?: number;
  tieSource?: string;
  tags?: Record<string, string>;
  createdAt?: string;
  label?: Label;
}

export interface ListJudgmentsResponse {
  judgments?: JudgmentSummary[];
  nextPageToken?: string;
}

export interface ReviewItem {
  judgment: JudgmentSummary;
  reasons?: string[];
}

export interface ListReviewQueueResponse {
  items?: ReviewItem[];
  nextPageToken?: string;
}

export interface ProfileInfo {
  profile: string;
  judgments?: string;
  labelled?: string;
  activeCalibrator?: string;
  calibrators?: number;
}

export interface Vote {
  model?: string;
  shownOrder?: number[];
  sampleIndex?: number;
  rawAnswer?: string;
  mappedAnswer?: { choice?: number; tie?: boolean; score?: number; distribution?: number[] };
  certainty?: number;
  rationale?: string;
  parseStatus?: string;
  error?: string;
  latency?: string;
  cacheHit?: boolean;
}

export interface ScoreResponse extends JudgmentSummary {
  votes?: Vote[];
  distribution?: number[];
  calibratorVersion?: string;
  highCertainty?: boolean;
  failedModels?: string[];
  scoreSpread?: number;
}

export interface ScoreRequest {
  itemId?: string;
  preference?: { persona?: string; query?: string; responseA?: string; responseB?: string };
  roleIdentification?: {
    dialogue?: { speaker?: string; text?: string }[];
    targetUtterance?: string;
    candidates?: { name?: string; profile?: string }[];
  };
  adherence?: { persona?: string; task?: string; setting?: string; question?: string; answer?: string };
  judge?: object;
  tags?: Record<string, string>;
}

export interface GetJudgmentResponse {
  judgment: ScoreResponse;
  request: ScoreRequest;
}

export interface ReliabilityBin {
  lo?: number;
  hi?: number;
  count?: number;
  meanConfidence?: number;
  accuracy?: number;
}

export interface RiskCoveragePoint {
  threshold?: number;
  coverage?: number;
  risk?: number;
}

export interface CalibrationMetrics {
  n?: number;
  accuracy?: number;
  ece10?: number;
  ece20?: number;
  mce?: number;
  brier?: number;
  logLoss?: number;
  auroc?: number;
  bins?: ReliabilityBin[];
  riskCoverage?: RiskCoveragePoint[];
}

export interface ThresholdInfo {
  found?: boolean;
  threshold?: number;
  coverage?: number;
  precision?: number;
  lowerBound?: number;
  targetPrecision?: number;
  kept?: number;
}

export interface CalibrationReport {
  profile?: string;
  calibratorVersion?: string;
  raw?: CalibrationMetrics;
  calibrated?: CalibrationMetrics;
  threshold?: ThresholdInfo;
}

export interface CalibratorInfo {
  profile?: string;
  version?: string;
  method?: string;
  n?: number;
  active?: boolean;
  threshold?: ThresholdInfo;
}

export interface StoredCalibrator {
  info: CalibratorInfo;
  createdAt?: string;
}

export interface EvalRun {
  runId: string;
  name?: string;
  createdAt?: string;
  summaryJson?: string;
}
