// Controls serving at least $min_frameworks frameworks: the Cypher twin of control-overlap.rq.
// A control serves the framework of each requirement it implements and the frameworks of every
// requirement mapped to one of those (either direction, no-relationship excluded).
MATCH (control:Resource)-[:IMPLEMENTS_REQUIREMENT]->(requirement:Resource)
CALL (requirement) {
  MATCH (requirement)-[:IN_SCHEME]->(framework:Resource)
  RETURN framework
  UNION
  MATCH (requirement)-[mapping:MAPS_TO]-(:Resource)-[:IN_SCHEME]->(framework:Resource)
  WHERE mapping.relationship <> 'no-relationship'
  RETURN framework
}
WITH control, collect(DISTINCT framework.iri) AS frameworks
WITH control, frameworks, size(frameworks) AS framework_count
WHERE framework_count >= $min_frameworks
OPTIONAL MATCH (control)-[:CONTROL_STATUS]->(status:Resource)
UNWIND frameworks AS framework
RETURN DISTINCT
  control.iri AS control,
  control.identifier AS identifier,
  control.label AS label,
  CASE
    WHEN status IS NULL THEN null
    WHEN status.iri CONTAINS '#status-'
    THEN substring(status.iri, size(split(status.iri, '#status-')[0]) + size('#status-'))
    ELSE ''
  END AS status,
  framework_count,
  framework
ORDER BY framework_count DESC, identifier, framework
