// What a vendor's failure hits: the Cypher twin of vendor-impact.rq. The vendor's datasets (and
// everything derived from them), models and systems, and every system hit, are computed once.
MATCH (v:Resource {iri: $vendor})
WITH v,
  [(x:Resource)-[:SUPPLIED_BY]->(v)
    WHERE 'https://w3id.org/aimstrace/ns#Dataset' IN x.types | x] AS suppliedDatasets,
  [(x:Resource)-[:SUPPLIED_BY]->(v)
    WHERE 'https://w3id.org/aimstrace/ns#Model' IN x.types | x] AS suppliedModels,
  [(x:Resource)-[:SUPPLIED_BY]->(v)
    WHERE 'https://w3id.org/aimstrace/ns#AISystem' IN x.types | x] AS suppliedSystems
WITH v, suppliedModels, suppliedSystems, COLLECT {
  UNWIND suppliedDatasets AS supplied
  MATCH (a:Resource)-[:WAS_DERIVED_FROM*0..]->(supplied)
  RETURN DISTINCT a
} AS affected
WITH v, suppliedModels, suppliedSystems, affected,
  COLLECT {
    UNWIND suppliedModels AS model
    MATCH (system:Resource)-[:USES_MODEL]->(model)
    RETURN DISTINCT system
  } AS modelSystems,
  COLLECT {
    UNWIND affected AS a
    MATCH (system:Resource)-[:USES_DATASET]->(a)
    RETURN system
    UNION
    UNWIND affected AS a
    MATCH (system:Resource)-[:USES_MODEL]->(:Resource)-[:TRAINED_ON]->(a)
    RETURN system
  } AS dataSystems
WITH v, suppliedModels, affected, suppliedSystems, modelSystems, dataSystems,
  COLLECT {
    UNWIND suppliedSystems + modelSystems + dataSystems AS system
    RETURN DISTINCT system
  } AS systems
CALL (v, suppliedModels, affected, suppliedSystems, modelSystems, dataSystems, systems) {
  UNWIND affected AS e
  RETURN 'dataset' AS category, e
  UNION
  UNWIND suppliedModels AS e
  RETURN 'model' AS category, e
  UNION
  UNWIND affected AS a
  MATCH (e:Resource)-[:TRAINED_ON]->(a)
  RETURN 'model' AS category, e
  UNION
  UNWIND suppliedSystems + modelSystems + dataSystems AS e
  RETURN 'system' AS category, e
  UNION
  // Owners of anything the vendor supplies, whatever its class.
  MATCH (hit:Resource)-[:SUPPLIED_BY]->(v)
  MATCH (hit)-[:ACCOUNTABLE_OWNER]->(e:Resource)
  RETURN 'owner' AS category, e
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
