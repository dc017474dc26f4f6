// What one person answers for: the Cypher twin of owner-accountability.rq. "kind" is the local
// name of each of the entity's classes in our namespace (one row per class, null without one).
MATCH (p:Resource {iri: $person})
CALL (p) {
  MATCH (e:Resource)-[:ACCOUNTABLE_OWNER]->(p)
  RETURN 'accountable' AS responsibility, e
  UNION
  MATCH (e:Resource)-[:APPROVED_BY]->(p)
  RETURN 'approver' AS responsibility, e
  UNION
  MATCH (e:Resource)-[:REVIEWED_BY]->(p)
  RETURN 'reviewer' AS responsibility, e
  UNION
  MATCH (e:Resource)-[:ATTENDEE]->(p)
  RETURN 'attendee' AS responsibility, e
  UNION
  MATCH (p)-[:HOLDS_ROLE]->(e:Resource)
  RETURN 'role' AS responsibility, e
}
WITH responsibility, e, [
  type IN coalesce(e.types, []) WHERE type STARTS WITH 'https://w3id.org/aimstrace/ns#'
  | substring(type, size('https://w3id.org/aimstrace/ns#'))
] AS kinds
UNWIND CASE WHEN size(kinds) = 0 THEN [null] ELSE kinds END AS kind
RETURN DISTINCT
  responsibility,
  kind,
  e.iri AS entity,
  e.identifier AS identifier,
  e.label AS label
ORDER BY responsibility, kind, identifier
