"""Every SPARQL query the pages are built from, in one place, so that the pages can follow the
model as it changes: a renamed property is changed here and nowhere else.

The per-entity queries take the entity as `?focus` (bound as an RDF term by the engine, never
pasted into the text). Each returns flat rows that `coopgraph.report.pages` assembles; labels
come back as they are stored and the English or untagged one is chosen in Python.

The law model of issue 14 (ontology/law.ttl): an instrument's cg:legalNature, its commitments
(cg:hasCommitment, each with cg:statementText and cg:concernsModality), asked for with OPTIONAL
patterns: a page shows them when the data has them and says "not recorded" when it does not.
"""

from __future__ import annotations

from coopgraph.model.namespaces import ENTAILMENTS_GRAPH, MODALITY_SCHEME, sparql_prologue

PREFIXES = sparql_prologue()

# --- Lists -----------------------------------------------------------------------------------

STATES = """
SELECT ?state ?label ?alpha2 ?alpha3 ?numeric ?iso3 ?former WHERE {
  ?state a cg:State ; rdfs:label ?label .
  OPTIONAL { ?state cg:iso3166Alpha2 ?alpha2 }
  OPTIONAL { ?state cg:iso3166Alpha3 ?alpha3 }
  OPTIONAL { ?state cg:iso3166Numeric ?numeric }
  OPTIONAL { ?state cg:iso3166_3Code ?iso3 }
  BIND(EXISTS { ?state a cg:FormerState } AS ?former)
}"""

# The M49 sub-region and region each State lies in (data/regions.ttl, data/states.ttl).
STATE_REGIONS = """
SELECT DISTINCT ?state ?region_label WHERE {
  ?state a cg:State ; cg:m49SubRegion|cg:m49Region ?region .
  ?region skos:prefLabel ?region_label .
}"""

# A State takes part in an instrument as a participant, or through an agency acting for it.
STATE_INSTRUMENTS = """
SELECT DISTINCT ?state ?instrument ?through WHERE {
  ?state a cg:State .
  { ?participation cg:participant ?state . BIND(false AS ?through) }
  UNION { ?participation cg:onBehalfOf ?state . BIND(true AS ?through) }
  ?participation cg:participationIn ?instrument .
  ?instrument a cg:Instrument .
}"""

INSTRUMENTS = """
SELECT ?instrument ?label ?signed ?concluded ?adopted ?in_force ?started WHERE {
  ?instrument a cg:Instrument ; rdfs:label ?label .
  OPTIONAL { ?instrument cg:signatureDate ?signed }
  OPTIONAL { ?instrument cg:conclusionDate ?concluded }
  OPTIONAL { ?instrument cg:adoptionDate ?adopted }
  OPTIONAL { ?instrument cg:entryIntoForceDate ?in_force }
  OPTIONAL { ?instrument cg:startDate ?started }
}"""

# The most specific classes of each instrument (a bilateral agreement, not also an agreement).
INSTRUMENT_TYPES = """
SELECT DISTINCT ?instrument ?type ?type_label WHERE {
  ?instrument a cg:Instrument , ?type .
  ?type rdfs:subClassOf* cg:Instrument ; rdfs:label ?type_label .
  FILTER NOT EXISTS {
    ?instrument a ?narrower . ?narrower rdfs:subClassOf ?type . FILTER(?narrower != ?type)
  }
}"""

# Scope of each instrument: crimes, target groups, regions and (when recorded) legal nature.
# "region" is the region the text names (cg:region) and the M49 region it is (cg:coversRegion);
# "state_region" the M49 sub-regions and regions of the States it engages (bound, signatory or
# involved through an agency).
INSTRUMENT_SCOPE = """
SELECT DISTINCT ?instrument ?facet ?value ?value_label WHERE {
  ?instrument a cg:Instrument .
  {
    ?instrument cg:addressesCrime ?value . ?value skos:prefLabel ?value_label .
    BIND("crime" AS ?facet)
  } UNION {
    ?instrument cg:targetGroup ?value . ?value skos:prefLabel ?value_label .
    BIND("target_group" AS ?facet)
  } UNION {
    ?instrument cg:region ?value_label . BIND("region" AS ?facet)
  } UNION {
    ?instrument cg:coversRegion ?value . ?value skos:prefLabel ?value_label .
    BIND("region" AS ?facet)
  } UNION {
    ?instrument cg:engages ?state . ?state a cg:State ; cg:m49SubRegion|cg:m49Region ?value .
    ?value skos:prefLabel ?value_label .
    BIND("state_region" AS ?facet)
  } UNION {
    ?instrument cg:legalNature ?value .
    OPTIONAL { ?value rdfs:label|skos:prefLabel ?named }
    BIND(COALESCE(?named, ?value) AS ?value_label)
    BIND("legal_nature" AS ?facet)
  }
}"""

# Each modality an instrument covers (its own or through a provision), and the top concepts
# of the modality scheme it falls under.
INSTRUMENT_MODALITIES = f"""
SELECT DISTINCT ?instrument ?modality ?modality_label ?group ?group_label WHERE {{
  ?instrument a cg:Instrument ; cg:coversModality ?modality .
  ?modality skos:prefLabel ?modality_label .
  OPTIONAL {{
    ?modality skos:broader* ?group .
    ?group skos:topConceptOf <{MODALITY_SCHEME}> ; skos:prefLabel ?group_label .
  }}
}}"""

PARTICIPANTS = """
SELECT DISTINCT ?instrument ?agent ?role_label ?state WHERE {
  ?participation cg:participationIn ?instrument ; cg:participant ?agent .
  OPTIONAL { ?participation cg:role/skos:prefLabel ?role_label }
  OPTIONAL { ?agent a cg:State . BIND(?agent AS ?state) }
}"""

MODALITIES = f"""
SELECT ?modality ?label ?broader ?top ?definition WHERE {{
  ?modality skos:inScheme <{MODALITY_SCHEME}> ; skos:prefLabel ?label .
  OPTIONAL {{ ?modality skos:broader ?broader }}
  OPTIONAL {{ ?modality skos:broader* ?top . ?top skos:topConceptOf <{MODALITY_SCHEME}> }}
  OPTIONAL {{ ?modality skos:definition ?definition }}
}}"""

ORGANISATIONS = """
SELECT ?organisation ?label ?type_label WHERE {
  ?organisation a cg:Organisation ; rdfs:label ?label .
  OPTIONAL {
    ?organisation a ?class . ?class rdfs:subClassOf* cg:Organisation ; rdfs:label ?type_label .
    FILTER NOT EXISTS {
      ?organisation a ?narrower . ?narrower rdfs:subClassOf ?class . FILTER(?narrower != ?class)
    }
  }
}"""

ORGANISATION_ROLES = """
SELECT DISTINCT ?organisation ?role_label ?instrument ?for WHERE {
  ?organisation a cg:Organisation .
  {
    ?participation cg:participant ?organisation ; cg:participationIn ?instrument .
    OPTIONAL { ?participation cg:role/skos:prefLabel ?role_label }
    OPTIONAL { ?participation cg:onBehalfOf ?for }
  } UNION {
    ?membership org:organization ?organisation ; org:member ?for .
    FILTER NOT EXISTS { ?membership org:memberDuring/time:hasEnd ?end }
    BIND("has member" AS ?role_label)
  } UNION {
    ?membership org:organization ?organisation ; org:member ?for ;
                org:memberDuring/time:hasEnd/time:inXSDDate ?end .
    BIND(CONCAT("had member (until ", STR(?end), ")") AS ?role_label)
  } UNION {
    ?organisation cg:agencyOf ?for . BIND("agency of" AS ?role_label)
  }
}"""

# --- Search: every name a person may type ---------------------------------------------------

NAMES = f"""
SELECT DISTINCT ?term ?kind ?name ?how WHERE {{
  {{
    ?term a cg:State . BIND("state" AS ?kind)
    {{ ?term rdfs:label|skos:prefLabel ?name BIND("name" AS ?how) }}
    UNION {{ ?term skos:altLabel|cg:isoShortName|cg:isoOfficialName ?name BIND("also" AS ?how) }}
    UNION {{ ?term cg:hasName/cg:nameText ?name BIND("name history" AS ?how) }}
    UNION {{ ?term cg:iso3166Alpha2|cg:iso3166Alpha3|cg:iso3166_3Code ?name
             BIND("ISO code" AS ?how) }}
  }} UNION {{
    ?term a cg:Instrument . BIND("instrument" AS ?kind)
    {{ ?term rdfs:label ?name BIND("name" AS ?how) }}
    UNION {{ ?term dcterms:title|dcterms:alternative ?name BIND("also" AS ?how) }}
  }} UNION {{
    ?term skos:inScheme <{MODALITY_SCHEME}> . BIND("modality" AS ?kind)
    {{ ?term skos:prefLabel ?name BIND("name" AS ?how) }}
    UNION {{ ?term skos:altLabel ?name BIND("also" AS ?how) }}
  }} UNION {{
    ?term a cg:Organisation . BIND("organisation" AS ?kind)
    {{ ?term rdfs:label ?name BIND("name" AS ?how) }}
    UNION {{ ?term skos:altLabel ?name BIND("also" AS ?how) }}
  }}
}}"""

# --- One State ----------------------------------------------------------------------------

STATE_PARTICIPATIONS = """
SELECT ?participation ?instrument ?role_label ?designation ?date ?agent ?through WHERE {
  { ?participation cg:participant ?focus . BIND(?focus AS ?agent) BIND(false AS ?through) }
  UNION { ?participation cg:onBehalfOf ?focus ; cg:participant ?agent . BIND(true AS ?through) }
  ?participation cg:participationIn ?instrument .
  OPTIONAL { ?participation cg:role/skos:prefLabel ?role_label }
  OPTIONAL { ?participation cg:designation ?designation }
  OPTIONAL { ?participation cg:date ?date }
}"""

STATE_NAMES = """
SELECT ?name ?text ?from ?until ?note WHERE {
  ?focus cg:hasName ?name . ?name cg:nameText ?text .
  OPTIONAL { ?name cg:validFrom ?from }
  OPTIONAL { ?name cg:validUntil ?until }
  OPTIONAL { ?name cg:note ?note }
}"""

# A membership whose cited interval has an end is a former one; org:memberOf (derived from the
# memberships, and timeless as W3C ORG defines it) counts only where no membership node says more.
STATE_MEMBERSHIPS = """
SELECT DISTINCT ?organisation ?membership ?end WHERE {
  {
    ?membership org:member ?focus ; org:organization ?organisation .
    OPTIONAL {
      ?membership org:memberDuring/time:hasEnd/time:inXSDDate ?end
    }
  } UNION {
    ?focus org:memberOf ?organisation .
    FILTER NOT EXISTS { ?stated org:member ?focus ; org:organization ?organisation }
  }
}"""

STATE_AGENCIES = """
SELECT DISTINCT ?agency WHERE { ?agency cg:agencyOf ?focus }"""

# --- One instrument ------------------------------------------------------------------------

INSTRUMENT_PARTICIPATIONS = """
SELECT ?participation ?agent ?role_label ?designation ?date ?for ?count ?note WHERE {
  ?participation cg:participationIn ?focus .
  OPTIONAL { ?participation cg:participant ?agent }
  OPTIONAL { ?participation cg:role/skos:prefLabel ?role_label }
  OPTIONAL { ?participation cg:designation ?designation }
  OPTIONAL { ?participation cg:date ?date }
  OPTIONAL { ?participation cg:onBehalfOf ?for }
  OPTIONAL { ?participation cg:participantCount ?count }
  OPTIONAL { ?participation cg:note ?note }
}"""

# Each modality with where it comes from: stated of the instrument itself (outside the
# entailments), or of one of its provisions.
INSTRUMENT_MODALITY_SOURCES = f"""
SELECT DISTINCT ?modality ?provision ?stated WHERE {{
  ?focus cg:coversModality ?modality .
  OPTIONAL {{ ?focus cg:hasProvision ?provision . ?provision cg:coversModality ?modality }}
  BIND(EXISTS {{
    GRAPH ?graph {{ ?focus cg:coversModality ?modality }} FILTER(?graph != <{ENTAILMENTS_GRAPH}>)
  }} || NOT EXISTS {{ GRAPH ?any {{ ?focus cg:coversModality ?modality }} }} AS ?stated)
}}"""

INSTRUMENT_PROVISIONS = """
SELECT ?provision ?label ?kind ?number ?description ?modality WHERE {
  ?focus cg:hasProvision ?provision .
  OPTIONAL { ?provision rdfs:label ?label }
  OPTIONAL { ?provision cg:provisionKind ?kind }
  OPTIONAL { ?provision cg:provisionNumber ?number }
  OPTIONAL { ?provision dcterms:description ?description }
  OPTIONAL { ?provision cg:coversModality ?modality }
}"""

INSTRUMENT_RELATIONS = """
SELECT DISTINCT ?relation ?related WHERE {
  VALUES (?property ?relation) {
    (cg:drawsUpon "draws upon") (cg:drawnUponBy "drawn upon by")
    (cg:refersTo "refers to") (cg:referredToBy "referred to by")
    (cg:implements "implements") (cg:implementedBy "implemented by")
    (cg:provisionOf "is part of") (cg:hasProvision "has provision")
    (cg:outcomeOf "is an outcome of") (cg:encourages "encourages")
  }
  ?focus ?property ?related .
}"""

INSTRUMENT_DOCUMENTS = """
SELECT DISTINCT ?document ?how ?language WHERE {
  VALUES (?property ?how) {
    (cg:textAvailableAt "text") (cg:moreInformationAt "more information") (dcterms:source "source")
  }
  ?focus ?property ?document .
  FILTER(!STRSTARTS(STR(?document), "https://w3id.org/coopgraph/"))
  OPTIONAL { ?document dcterms:language ?language }
}"""

# Commitments as statements of their own, when the model records them.
INSTRUMENT_COMMITMENTS = """
SELECT ?commitment ?text ?modality WHERE {
  ?focus cg:hasCommitment ?commitment .
  OPTIONAL { ?commitment cg:statementText ?text }
  OPTIONAL { ?commitment cg:concernsModality ?modality }
}"""

SOURCES = """
SELECT DISTINCT ?section ?section_title ?document_title WHERE {
  ?focus cg:sourceSection ?section .
  OPTIONAL { ?section dcterms:title ?section_title }
  OPTIONAL { ?section dcterms:isPartOf/dcterms:title ?document_title }
}"""

# --- One modality --------------------------------------------------------------------------

MODALITY_PATH = f"""
SELECT ?ancestor ?depth WHERE {{
  ?focus skos:broader* ?ancestor .
  ?ancestor skos:inScheme <{MODALITY_SCHEME}> .
  {{ SELECT ?ancestor (COUNT(?step) AS ?depth) WHERE {{
      ?ancestor skos:broader* ?step . ?step skos:inScheme <{MODALITY_SCHEME}> .
  }} GROUP BY ?ancestor }}
}}"""

MODALITY_NARROWER = """
SELECT ?narrower WHERE { ?narrower skos:broader ?focus }"""

MODALITY_INSTRUMENTS = """
SELECT DISTINCT ?instrument ?directly WHERE {
  ?instrument a cg:Instrument ; cg:coversModalityWithin ?focus .
  BIND(EXISTS { ?instrument cg:coversModality ?focus } AS ?directly)
}"""

# --- Labels and raw statements -------------------------------------------------------------

LABELS = """
SELECT ?term ?label ?rank WHERE {
  VALUES ?term { %s }
  { ?term rdfs:label ?label BIND(1 AS ?rank) }
  UNION { ?term skos:prefLabel ?label BIND(2 AS ?rank) }
  UNION { ?term dcterms:title ?label BIND(3 AS ?rank) }
  UNION { ?term cg:nameText ?label BIND(4 AS ?rank) }
}"""

# A participation has no label of its own: it is named by who, in what role, in what.
PARTICIPATION_NAMES = """
SELECT ?participation ?agent ?role_label ?instrument ?count WHERE {
  VALUES ?participation { %s }
  ?participation cg:participationIn ?instrument .
  OPTIONAL { ?participation cg:participant ?agent }
  OPTIONAL { ?participation cg:role/skos:prefLabel ?role_label }
  OPTIONAL { ?participation cg:participantCount ?count }
}"""

# The graph a statement is in tells stated from inferred; an endpoint that holds the graph in
# its default graph alone (`coopgraph push`) leaves ?g unbound: shown as stated.
STATEMENTS = """
SELECT ?p ?o ?g WHERE { ?focus ?p ?o OPTIONAL { GRAPH ?g { ?focus ?p ?o } } }"""
