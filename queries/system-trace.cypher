// Everything behind one AI system, one row per (category, entity, reached via): the Cypher twin
// of system-trace.rq. Every branch starts from the bound system node (an index lookup on iri).
MATCH (s:Resource {iri: $system})
CALL (s) {
  MATCH (s)-[:ACCOUNTABLE_OWNER]->(e:Resource)
  RETURN 'owner' AS category, e, s AS via
  UNION
  MATCH (e:Resource)-[:ASSESSES_SYSTEM]->(s)
  RETURN 'assessment' AS category, e, s AS via
  UNION
  MATCH (s)-[:ANNEX_IIIPOINT]->(e:Resource)
  RETURN 'annex-point' AS category, e, s AS via
  UNION
  MATCH (s)-[:USES_MODEL]->(e:Resource)
  RETURN 'model' AS category, e, s AS via
  UNION
  MATCH (s)-[:USES_DATASET]->(e:Resource)
  RETURN 'dataset' AS category, e, s AS via
  UNION
  MATCH (s)-[:USES_MODEL]->(via:Resource)-[:TRAINED_ON]->(e:Resource)
  RETURN 'dataset' AS category, e, via
  UNION
  // Upstream lineage of every dataset the system uses, directly or through a model.
  CALL (s) {
    MATCH (s)-[:USES_DATASET]->(used:Resource)
    RETURN used
    UNION
    MATCH (s)-[:USES_MODEL]->(:Resource)-[:TRAINED_ON]->(used:Resource)
    RETURN used
  }
  MATCH (used)-[:WAS_DERIVED_FROM*0..]->(via:Resource)
  WITH DISTINCT via
  MATCH (via)-[:WAS_DERIVED_FROM]->(e:Resource)
  RETURN 'dataset' AS category, e, via
  UNION
  MATCH (s)-[:SUPPLIED_BY]->(e:Resource)
  RETURN 'vendor' AS category, e, s AS via
  UNION
  MATCH (s)-[:USES_MODEL]->(via:Resource)-[:SUPPLIED_BY]->(e:Resource)
  RETURN 'vendor' AS category, e, via
  UNION
  CALL (s) {
    MATCH (s)-[:USES_DATASET]->(used:Resource)
    RETURN used
    UNION
    MATCH (s)-[:USES_MODEL]->(:Resource)-[:TRAINED_ON]->(used:Resource)
    RETURN used
  }
  MATCH (used)-[:WAS_DERIVED_FROM*0..]->(via:Resource)
  WITH DISTINCT via
  MATCH (via)-[:SUPPLIED_BY]->(e:Resource)
  RETURN 'vendor' AS category, e, via
  UNION
  MATCH (e:Resource)-[:AFFECTS_SYSTEM]->(s)
  RETURN 'risk' AS category, e, s AS via
  UNION
  MATCH (via:Resource)-[:AFFECTS_SYSTEM]->(s)
  MATCH (e:Resource)-[:TREATS_RISK]->(via)
  RETURN 'treatment' AS category, e, via
  UNION
  MATCH (risk:Resource)-[:AFFECTS_SYSTEM]->(s)
  MATCH (via:Resource)-[:TREATS_RISK]->(risk)
  MATCH (via)-[:USES_CONTROL]->(e:Resource)
  RETURN 'control' AS category, e, via
  UNION
  MATCH (risk:Resource)-[:AFFECTS_SYSTEM]->(s)
  MATCH (treatment:Resource)-[:TREATS_RISK]->(risk)
  MATCH (treatment)-[:USES_CONTROL]->(via:Resource)
  MATCH (via)-[:IMPLEMENTS_REQUIREMENT]->(e:Resource)
  RETURN 'requirement' AS category, e, via
  UNION
  // Obligations: requirements mapped to an implemented one, in either direction.
  MATCH (risk:Resource)-[:AFFECTS_SYSTEM]->(s)
  MATCH (treatment:Resource)-[:TREATS_RISK]->(risk)
  MATCH (treatment)-[:USES_CONTROL]->(control:Resource)
  MATCH (control)-[:IMPLEMENTS_REQUIREMENT]->(via:Resource)
  MATCH (via)-[mapping:MAPS_TO]-(e:Resource)
  WHERE mapping.relationship <> 'no-relationship'
  RETURN 'obligation' AS category, e, via
  UNION
  MATCH (risk:Resource)-[:AFFECTS_SYSTEM]->(s)
  MATCH (treatment:Resource)-[:TREATS_RISK]->(risk)
  MATCH (treatment)-[:USES_CONTROL]->(via:Resource)
  MATCH (via)-[:HAS_EVIDENCE]->(e:Resource)
  RETURN 'evidence' AS category, e, via
  UNION
  MATCH (risk:Resource)-[:AFFECTS_SYSTEM]->(s)
  MATCH (treatment:Resource)-[:TREATS_RISK]->(risk)
  MATCH (treatment)-[:USES_CONTROL]->(via:Resource)
  MATCH (e:Resource)-[:SUPPORTS]->(via)
  RETURN 'evidence' AS category, e, via
  UNION
  MATCH (e:Resource)-[:SUPPORTS]->(s)
  RETURN 'evidence' AS category, e, s AS via
  UNION
  MATCH (via:Resource)-[:AFFECTS_SYSTEM]->(s)
  MATCH (e:Resource)-[:SUPPORTS]->(via)
  RETURN 'evidence' AS category, e, via
}
RETURN DISTINCT
  category,
  e.iri AS entity,
  coalesce(e.identifier, e.notation) AS identifier,
  coalesce(e.label, e.prefLabel) AS label,
  via.iri AS via
ORDER BY category, identifier, via, entity
