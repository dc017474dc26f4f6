// Evidence per ISO/IEC 42001 clause (and its subclauses): the Cypher twin of
// clause-readiness.rq. Counts of zero come from the OPTIONAL MATCH, as in the SPARQL.
MATCH (clause:Resource)-[:IN_SCHEME]->(:Resource {iri: 'https://w3id.org/aimstrace/catalog/iso42001'})
WHERE 'https://w3id.org/aimstrace/ns#Clause' IN clause.types
OPTIONAL MATCH (part:Resource)-[:BROADER*0..]->(clause)
OPTIONAL MATCH (evidence:Resource)-[:SUPPORTS]->(part)
  WHERE 'https://w3id.org/aimstrace/ns#Evidence' IN evidence.types
WITH clause, count(DISTINCT evidence) AS evidence_count
WHERE clause.notation IS NOT NULL
RETURN
  clause.iri AS clause,
  clause.notation AS notation,
  clause.prefLabel AS title,
  evidence_count,
  evidence_count > 0 AS documented
ORDER BY notation
