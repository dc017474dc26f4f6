// What a dataset's failure hits: the Cypher twin of dataset-impact.rq. The affected datasets
// (the dataset and everything derived from it) and the systems using them are computed once.
MATCH (d:Resource {iri: $dataset})
MATCH (a:Resource)-[:WAS_DERIVED_FROM*0..]->(d)
WITH d, collect(DISTINCT a) AS affected
WITH d, affected, COLLECT {
  UNWIND affected AS a
  MATCH (system:Resource)-[:USES_DATASET]->(a)
  RETURN system
  UNION
  UNWIND affected AS a
  MATCH (system:Resource)-[:USES_MODEL]->(:Resource)-[:TRAINED_ON]->(a)
  RETURN system
} AS systems
CALL (d, affected, systems) {
  MATCH (e:Resource)-[:WAS_DERIVED_FROM*1..]->(d)
  RETURN 'dataset' AS category, e
  UNION
  UNWIND affected AS a
  MATCH (e:Resource)-[:TRAINED_ON]->(a)
  RETURN 'model' AS category, e
  UNION
  UNWIND systems AS e
  RETURN 'system' AS category, e
  UNION
  UNWIND affected AS a
  MATCH (a)-[:ACCOUNTABLE_OWNER]->(e:Resource)
  RETURN 'owner' AS category, e
  UNION
  UNWIND affected AS a
  MATCH (model:Resource)-[:TRAINED_ON]->(a)
  MATCH (model)-[:ACCOUNTABLE_OWNER]->(e:Resource)
  RETURN 'owner' AS category, e
  UNION
  UNWIND systems AS system
  MATCH (system)-[:ACCOUNTABLE_OWNER]->(e:Resource)
  RETURN 'owner' AS category, e
  UNION
  UNWIND systems AS system
  MATCH (e:Resource)-[:AFFECTS_SYSTEM]->(system)
  RETURN 'risk' AS category, e
  UNION
  UNWIND systems AS system
  MATCH (system)-[:ANNEX_IIIPOINT]->(e:Resource)
  RETURN 'requirement' AS category, e
  UNION
  UNWIND systems AS system
  MATCH (risk:Resource)-[:AFFECTS_SYSTEM]->(system)
  MATCH (treatment:Resource)-[:TREATS_RISK]->(risk)
  MATCH (treatment)-[:USES_CONTROL]->(control:Resource)
  MATCH (control)-[:IMPLEMENTS_REQUIREMENT]->(e:Resource)
  RETURN 'requirement' AS category, e
  UNION
  // Requirements mapped to an implemented one, in either direction.
  UNWIND systems AS system
  MATCH (risk:Resource)-[:AFFECTS_SYSTEM]->(system)
  MATCH (treatment:Resource)-[:TREATS_RISK]->(risk)
  MATCH (treatment)-[:USES_CONTROL]->(control:Resource)
  MATCH (control)-[:IMPLEMENTS_REQUIREMENT]->(implemented:Resource)
  MATCH (implemented)-[mapping:MAPS_TO]-(e:Resource)
  WHERE mapping.relationship <> 'no-relationship'
  RETURN 'requirement' AS category, e
}
RETURN DISTINCT
  category,
  e.iri AS entity,
  coalesce(e.identifier, e.notation) AS identifier,
  coalesce(e.label, e.prefLabel) AS label
ORDER BY category, identifier, entity
