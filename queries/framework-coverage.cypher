// Coverage of each requirement of a framework by implemented controls: the Cypher twin of
// framework-coverage.rq. Degree 2 (full): the control implements the requirement, or one equal
// to it or of which it is a subset; degree 1 (partial): one it intersects with or that is a
// subset of it. The inner aggregation always gives one row, so uncovered requirements stay.
MATCH (requirement:Resource)-[:IN_SCHEME]->(:Resource {iri: $framework})
CALL (requirement) {
  CALL (requirement) {
    MATCH (control:Resource)-[:IMPLEMENTS_REQUIREMENT]->(requirement)
    RETURN control, 2 AS degree
    UNION
    MATCH (requirement)-[mapping:MAPS_TO]->(implemented:Resource)
    MATCH (control:Resource)-[:IMPLEMENTS_REQUIREMENT]->(implemented)
    RETURN control, CASE
      WHEN mapping.relationship IN ['equal', 'subset-of'] THEN 2
      WHEN mapping.relationship IN ['superset-of', 'intersects-with'] THEN 1
      ELSE 0
    END AS degree
    UNION
    MATCH (implemented:Resource)-[mapping:MAPS_TO]->(requirement)
    MATCH (control:Resource)-[:IMPLEMENTS_REQUIREMENT]->(implemented)
    RETURN control, CASE
      WHEN mapping.relationship IN ['equal', 'superset-of'] THEN 2
      WHEN mapping.relationship IN ['subset-of', 'intersects-with'] THEN 1
      ELSE 0
    END AS degree
  }
  WITH control, degree
  WHERE degree > 0
    AND EXISTS {
      MATCH (control)-[:CONTROL_STATUS]->
        (:Resource {iri: 'https://w3id.org/aimstrace/ns#status-implemented'})
    }
  RETURN max(degree) AS best, count(DISTINCT control) AS controls
}
WITH requirement, best, controls
WHERE requirement.notation IS NOT NULL
RETURN
  requirement.iri AS requirement,
  requirement.notation AS notation,
  requirement.prefLabel AS title,
  requirement.kind AS kind,
  CASE coalesce(best, 0) WHEN 2 THEN 'full' WHEN 1 THEN 'partial' ELSE 'none' END AS coverage,
  controls
ORDER BY notation
