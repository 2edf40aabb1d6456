// Package personagym runs the PersonaGym benchmark end to end: a personas
// file (with questions, or questions written by a generator model), the
// agent under test queried through an OpenAI-compatible endpoint, score
// examples written per question by the generator, every answer judged by
// the adherence judge through the service's ScoreStream (resumably, by
// package eval), and a summary: PersonaScore per persona and across
// personas, per task, with bootstrap intervals over personas and questions.
// Compare pairs two runs on the same questions.
//
// A run lives in one directory: answers.jsonl and examples.jsonl cache the
// agent's answers and the generated examples (so a rerun of the same inputs
// makes no agent or generator call), items.jsonl is the dataset handed to
// the judge, results.jsonl the judged results (each item judged once across
// kills and reruns) and summary.json the report.
package personagym
