// Loose ends: the Cypher twin of orphans.rq. Class membership is read from the node's rdf:type
// IRIs (the `types` property), which is there whether or not the vocabulary is loaded.
CALL () {
  MATCH (e:Resource)
  WHERE 'https://w3id.org/aimstrace/ns#Dataset' IN e.types
    AND NOT EXISTS {
      MATCH (downstream:Resource)-[:WAS_DERIVED_FROM*0..]->(e)
      MATCH (:Resource)-[:USES_DATASET|TRAINED_ON]->(downstream)
    }
  RETURN 'unused-dataset' AS category, e
  UNION ALL
  MATCH (e:Resource)
  WHERE 'https://w3id.org/aimstrace/ns#ImplementedControl' IN e.types
    AND NOT EXISTS { MATCH (:Resource)-[:USES_CONTROL]->(e) }
  RETURN 'unneeded-control' AS category, e
  UNION ALL
  MATCH (e:Resource)
  WHERE 'https://w3id.org/aimstrace/ns#AISystem' IN e.types
    AND NOT EXISTS {
      MATCH (assessment:Resource)-[:ASSESSES_SYSTEM]->(e)
      WHERE 'https://w3id.org/aimstrace/ns#RiskAssessment' IN assessment.types
    }
    AND NOT coalesce(e.excludedFromScope = true, false)
  RETURN 'unassessed-system' AS category, e
}
RETURN category, e.iri AS entity, e.identifier AS identifier, e.label AS label
ORDER BY category, identifier
