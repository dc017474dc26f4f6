// Mapping records touching one requirement, read from its side: the Cypher twin of
// crosswalk.rq. When the requirement is the mapping's object, subset-of and superset-of swap.
// $target_framework is optional: bound to null, every framework of the target is listed.
MATCH (requirement:Resource {iri: $requirement})
CALL (requirement) {
  MATCH (requirement)-[mapping:MAPS_TO]->(target:Resource)
  WHERE mapping.relationship IS NOT NULL
  RETURN mapping, target, mapping.relationship AS seen
  UNION ALL
  MATCH (requirement)<-[mapping:MAPS_TO]-(target:Resource)
  WHERE mapping.relationship IS NOT NULL
  RETURN mapping, target, CASE mapping.relationship
    WHEN 'subset-of' THEN 'superset-of'
    WHEN 'superset-of' THEN 'subset-of'
    ELSE mapping.relationship
  END AS seen
}
MATCH (target)-[:IN_SCHEME]->(framework:Resource)
WHERE $target_framework IS NULL OR framework.iri = $target_framework
RETURN
  framework.iri AS target_framework,
  target.iri AS target,
  target.notation AS target_notation,
  seen AS relationship,
  mapping.strength AS strength,
  mapping.confidence AS confidence,
  mapping.rationale AS rationale,
  mapping.status AS status,
  mapping.creator AS creator,
  mapping.justification AS justification,
  mapping.iri AS mapping
ORDER BY target_notation, mapping
