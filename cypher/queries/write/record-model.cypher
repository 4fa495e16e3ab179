// Records what a matching model version means (its template: per comparison its name, attribute
// and per level label, m, u and weight; no personal data), once per version: links and reviews
// store only the levels a pair reached and refer to it by version (src/matching/explanation.ts).
// Returns the checksum recorded for the version: a different one means another model was recorded
// under the same version, and the caller refuses to run with it.
MERGE (m:MatchModel {version: $version})
  ON CREATE SET m.checksum = $checksum, m.template = $template, m.createdAt = toInteger($now)
RETURN m.checksum AS checksum
