// Why two entities are related: the Cypher twin of graph.analytics.explain_path (the RDF backends
// have no shortest paths). Links are object-property relationships and MAPS_TO edges (not
// no-relationship); rdf/rdfs/owl/dcterms predicates, skos:inScheme and the SKOS match edges,
// scope and mapping-set links, and anything touching our namespace (enumeration values) or a
// blank node are left out. Among equally short chains the one whose node IRIs sort first wins;
// between two nodes the link whose relation IRI sorts first, forward before inverse.
MATCH (source:Resource {iri: $from}), (target:Resource {iri: $to})
WHERE source <> target
MATCH path = allShortestPaths((source)-[*]-(target))
WHERE all(node IN nodes(path) WHERE
    NOT node.iri STARTS WITH 'https://w3id.org/aimstrace/ns#' AND NOT node.iri STARTS WITH '_:')
  AND all(link IN relationships(path) WHERE
    CASE type(link)
      WHEN 'MAPS_TO' THEN link.relationship <> 'no-relationship'
      ELSE NOT (
        link.predicate IS NULL
        OR link.predicate STARTS WITH 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'
        OR link.predicate STARTS WITH 'http://www.w3.org/2000/01/rdf-schema#'
        OR link.predicate STARTS WITH 'http://www.w3.org/2002/07/owl#'
        OR link.predicate STARTS WITH 'http://purl.org/dc/terms/'
        OR link.predicate IN [
          'http://www.w3.org/2004/02/skos/core#inScheme',
          'http://www.w3.org/2004/02/skos/core#topConceptOf',
          'http://www.w3.org/2004/02/skos/core#hasTopConcept',
          'http://www.w3.org/2004/02/skos/core#exactMatch',
          'http://www.w3.org/2004/02/skos/core#closeMatch',
          'http://www.w3.org/2004/02/skos/core#broadMatch',
          'http://www.w3.org/2004/02/skos/core#narrowMatch',
          'http://www.w3.org/2004/02/skos/core#relatedMatch',
          'https://w3id.org/aimstrace/ns#includesSystem',
          'https://w3id.org/aimstrace/ns#scopeOf',
          'https://w3id.org/aimstrace/ns#inMappingSet',
          'https://w3id.org/aimstrace/ns#mappingSubject',
          'https://w3id.org/aimstrace/ns#mappingObject',
          'https://w3id.org/aimstrace/ns#relationship'
        ]
      )
    END)
WITH nodes(path) AS chain
ORDER BY [node IN chain | node.iri]
LIMIT 1
UNWIND range(0, size(chain) - 2) AS position
WITH position, chain[position] AS here, chain[position + 1] AS next
CALL (here, next) {
  MATCH (here)-[link]-(next)
  WHERE CASE type(link)
      WHEN 'MAPS_TO' THEN link.relationship <> 'no-relationship'
      ELSE NOT (
        link.predicate IS NULL
        OR link.predicate STARTS WITH 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'
        OR link.predicate STARTS WITH 'http://www.w3.org/2000/01/rdf-schema#'
        OR link.predicate STARTS WITH 'http://www.w3.org/2002/07/owl#'
        OR link.predicate STARTS WITH 'http://purl.org/dc/terms/'
        OR link.predicate IN [
          'http://www.w3.org/2004/02/skos/core#inScheme',
          'http://www.w3.org/2004/02/skos/core#topConceptOf',
          'http://www.w3.org/2004/02/skos/core#hasTopConcept',
          'http://www.w3.org/2004/02/skos/core#exactMatch',
          'http://www.w3.org/2004/02/skos/core#closeMatch',
          'http://www.w3.org/2004/02/skos/core#broadMatch',
          'http://www.w3.org/2004/02/skos/core#narrowMatch',
          'http://www.w3.org/2004/02/skos/core#relatedMatch',
          'https://w3id.org/aimstrace/ns#includesSystem',
          'https://w3id.org/aimstrace/ns#scopeOf',
          'https://w3id.org/aimstrace/ns#inMappingSet',
          'https://w3id.org/aimstrace/ns#mappingSubject',
          'https://w3id.org/aimstrace/ns#mappingObject',
          'https://w3id.org/aimstrace/ns#relationship'
        ]
      )
    END
  WITH
    CASE type(link)
      WHEN 'MAPS_TO' THEN 'https://w3id.org/aimstrace/ns#' + link.relationship
      ELSE link.predicate
    END AS relation,
    startNode(link) <> here AS inverse
  RETURN relation, inverse
  ORDER BY relation, inverse
  LIMIT 1
}
RETURN position + 1 AS step, here.iri AS `from`, relation, next.iri AS `to`, inverse
ORDER BY step
