// Risks at or above a level with no treatment, or whose treatments use no implemented control:
// the Cypher twin of untreated-risks.rq. Levels compare by their rank property.
MATCH (minimum:Resource {iri: $min_level})
WHERE minimum.rank IS NOT NULL
MATCH (risk:Resource)-[:RISK_LEVEL]->(level:Resource)
WHERE level.rank >= minimum.rank
  AND 'https://w3id.org/aimstrace/ns#Risk' IN risk.types
  AND NOT EXISTS {
    MATCH (treatment:Resource)-[:TREATS_RISK]->(risk)
    MATCH (treatment)-[:USES_CONTROL]->(:Resource)
      -[:CONTROL_STATUS]->(:Resource {iri: 'https://w3id.org/aimstrace/ns#status-implemented'})
  }
OPTIONAL MATCH (risk)-[:AFFECTS_SYSTEM]->(system:Resource)
OPTIONAL MATCH (risk)-[:ACCOUNTABLE_OWNER]->(owner:Resource)
WITH risk, level, level.rank AS rank, system, owner
ORDER BY rank DESC, risk.identifier
RETURN
  risk.iri AS risk,
  risk.identifier AS identifier,
  risk.label AS label,
  CASE
    WHEN level.iri CONTAINS '#level-'
    THEN substring(level.iri, size(split(level.iri, '#level-')[0]) + size('#level-'))
    ELSE ''
  END AS level,
  system.iri AS system,
  owner.iri AS owner,
  CASE
    WHEN EXISTS { MATCH (:Resource)-[:TREATS_RISK]->(risk) } THEN 'no implemented control'
    ELSE 'no treatment'
  END AS reason
