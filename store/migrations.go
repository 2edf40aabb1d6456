package store

// migrations are applied in order, once per database: SQLite records how
// many have run in user_version, PostgreSQL in schema_migrations
// (postgres.go). Append only, one entry per change: never edit a migration
// that has shipped. Write them in SQLite type names; the PostgreSQL
// dialect maps them (dialect.go).
var migrations = []string{
	// 1: the judgments ledger. Request and response are stored as binary
	// protobuf; the indexed columns serve listing and calibration queries.
	`CREATE TABLE judgments (
		id            TEXT PRIMARY KEY,
		item_id       TEXT NOT NULL,
		kind          TEXT NOT NULL,
		profile       TEXT NOT NULL,
		status        INTEGER NOT NULL,
		certainty     REAL NOT NULL,
		consistency   REAL NOT NULL,
		request       BLOB NOT NULL,
		response      BLOB NOT NULL,
		created_at    INTEGER NOT NULL
	);
	CREATE INDEX judgments_profile ON judgments(profile, created_at);
	CREATE INDEX judgments_item ON judgments(item_id);`,
	// 2: the LLM response cache, content-addressed (see judges.callKey).
	`CREATE TABLE llm_cache (
		key        TEXT PRIMARY KEY,
		value      BLOB NOT NULL,
		created_at INTEGER NOT NULL
	);`,
	// 3: calibration. outcomes labels stored judgments (one label per
	// judgment); raw_outcomes holds imported historical (profile, certainty,
	// correct) records that have no stored judgment; calibrators holds every
	// fitted calibrator, versioned per profile, the partial unique index
	// keeping at most one active per profile.
	`CREATE TABLE outcomes (
		judgment_id TEXT PRIMARY KEY REFERENCES judgments(id),
		choice      INTEGER,
		tie         INTEGER NOT NULL,
		score       REAL,
		recorded_at INTEGER NOT NULL
	);
	CREATE TABLE raw_outcomes (
		id          INTEGER PRIMARY KEY,
		profile     TEXT NOT NULL,
		certainty   REAL NOT NULL,
		correct     INTEGER NOT NULL,
		options     INTEGER NOT NULL,
		consistency REAL,
		logprob     REAL,
		imported_at INTEGER NOT NULL
	);
	CREATE INDEX raw_outcomes_profile ON raw_outcomes(profile, id);
	CREATE TABLE calibrators (
		profile    TEXT NOT NULL,
		seq        INTEGER NOT NULL,
		version    TEXT NOT NULL,
		method     TEXT NOT NULL,
		model      TEXT NOT NULL,
		threshold  REAL,
		n          INTEGER NOT NULL,
		active     INTEGER NOT NULL,
		report     BLOB NOT NULL,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (profile, version),
		UNIQUE (profile, seq)
	);
	CREATE UNIQUE INDEX calibrators_active ON calibrators(profile) WHERE active = 1;`,
	// 4: what the console filters judgments by beyond the ledger's columns
	// (judgment_facets.go): the reason code, the tie source and the
	// calibrated probability (NULL without a calibrator), and the caller's
	// tags, one row per key, indexed by key and value.
	`CREATE TABLE judgment_facets (
		judgment_id            TEXT PRIMARY KEY REFERENCES judgments(id),
		reason_code            INTEGER NOT NULL,
		tie_source             INTEGER NOT NULL,
		calibrated_probability REAL
	);
	CREATE INDEX judgment_facets_reason ON judgment_facets(reason_code);
	CREATE TABLE judgment_tags (
		judgment_id TEXT NOT NULL REFERENCES judgments(id),
		tag_key     TEXT NOT NULL,
		tag_value   TEXT NOT NULL,
		PRIMARY KEY (judgment_id, tag_key)
	);
	CREATE INDEX judgment_tags_key_value ON judgment_tags(tag_key, tag_value);
	CREATE INDEX judgments_created ON judgments(created_at, id);
	CREATE INDEX judgments_status ON judgments(status, created_at);`,
	// 5: finished eval runs' summaries (eval_runs.go), as eval's
	// --summary-json writes them.
	`CREATE TABLE eval_runs (
		id         TEXT PRIMARY KEY,
		name       TEXT NOT NULL,
		summary    TEXT NOT NULL,
		created_at INTEGER NOT NULL
	);
	CREATE INDEX eval_runs_created ON eval_runs(created_at, id);`,
	// 6: finished PersonaGym runs and their per-item scores
	// (benchmark_runs.go), which BenchmarkService rolls up and compares.
	// score is NULL for an abstention or a judge error.
	`CREATE TABLE benchmark_runs (
		id         TEXT PRIMARY KEY,
		name       TEXT NOT NULL,
		agent      TEXT NOT NULL,
		created_at INTEGER NOT NULL
	);
	CREATE TABLE benchmark_items (
		run_id      TEXT NOT NULL REFERENCES benchmark_runs(id),
		persona     INTEGER NOT NULL,
		task        INTEGER NOT NULL,
		question_id TEXT NOT NULL,
		status      INTEGER NOT NULL,
		score       REAL,
		reason      TEXT NOT NULL,
		PRIMARY KEY (run_id, persona, task, question_id)
	);`,
	// 7: imported outcomes that carry an item key (keyed_outcomes.go), one
	// per key, profile and model, so several judges' records of the same
	// items line up; and the fitted cascade policies (cascades.go), one
	// active per cascade name.
	`CREATE TABLE keyed_outcomes (
		item_key    TEXT NOT NULL,
		profile     TEXT NOT NULL,
		model       TEXT NOT NULL,
		certainty   REAL NOT NULL,
		correct     INTEGER NOT NULL,
		options     INTEGER NOT NULL,
		consistency REAL,
		choice      INTEGER,
		imported_at INTEGER NOT NULL,
		PRIMARY KEY (item_key, profile, model)
	);
	CREATE INDEX keyed_outcomes_model ON keyed_outcomes(model, item_key);
	CREATE TABLE cascade_policies (
		cascade    TEXT PRIMARY KEY,
		policy     TEXT NOT NULL,
		created_at INTEGER NOT NULL
	);`,
}
