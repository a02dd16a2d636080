//! The hand-maintained OpenAPI 3.0.3 document (`/api`).
//!
//! Written by hand (Rust OpenAPI generators emit 3.1 only, and the OGC test
//! suite needs 3.0). Collection-specific paths are expanded from the
//! registry so each items path declares its own property parameters: GDAL
//! pushes `-where` filters down only for parameters declared there. The
//! `bbox` schema uses the shape the OGC ETS 1.9 checks (`minItems: 4`,
//! `maxItems: 6` at the top level).

use serde_json::{Map, Value, json};

use super::collections::Registry;
use super::params::{DEFAULT_LIMIT, MAX_LIMIT};

fn problem_response(desc: &str) -> Value {
    json!({
        "description": desc,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/problem"}}}
    })
}

fn json_ok(desc: &str, schema: Value) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": schema}}})
}

fn std_errors(r: &mut Map<String, Value>, with_404: bool) {
    r.insert(
        "304".into(),
        json!({"description": "Not modified (the If-None-Match ETag matches)"}),
    );
    r.insert(
        "400".into(),
        problem_response("Invalid or unknown query parameter (the problem names it)"),
    );
    if with_404 {
        r.insert("404".into(), problem_response("Not found"));
    }
    r.insert("405".into(), problem_response("Method not allowed"));
    r.insert("500".into(), problem_response("Server error"));
}

fn get_op(
    id: &str,
    summary: &str,
    tag: &str,
    params: Vec<Value>,
    ok: Value,
    with_404: bool,
) -> Value {
    let mut responses = Map::new();
    responses.insert("200".into(), ok);
    std_errors(&mut responses, with_404);
    json!({
        "get": {
            "tags": [tag],
            "summary": summary,
            "operationId": id,
            "parameters": params,
            "responses": responses,
        }
    })
}

fn pref(name: &str) -> Value {
    json!({"$ref": format!("#/components/parameters/{name}")})
}

fn write_responses(ok_code: &str, ok: Value, body: bool, with_404: bool) -> Value {
    let mut r = Map::new();
    r.insert(ok_code.into(), ok);
    if body {
        r.insert(
            "400".into(),
            problem_response("Malformed JSON body (the problem names the field)"),
        );
    }
    r.insert(
        "401".into(),
        problem_response("Missing or wrong bearer token"),
    );
    r.insert(
        "403".into(),
        problem_response("Writes are disabled: start the server with FRONTLINE_TOKEN set"),
    );
    if with_404 {
        r.insert("404".into(), problem_response("No such event"));
    }
    r.insert("405".into(), problem_response("Method not allowed"));
    if body {
        r.insert("413".into(), problem_response("Request body too large"));
        r.insert(
            "415".into(),
            problem_response("Body is not application/json"),
        );
        r.insert(
            "422".into(),
            problem_response("Well-formed JSON with invalid values (the problem names the field)"),
        );
    }
    r.insert("500".into(), problem_response("Server error"));
    r.insert(
        "503".into(),
        problem_response("The gazetteer is still loading; retry shortly"),
    );
    Value::Object(r)
}

/// The OpenAPI document for this registry, with `base` as the server URL.
pub fn document(registry: &Registry, base: &str) -> Value {
    let f_plain = json!({
        "name": "f", "in": "query", "required": false,
        "description": "Output format (json)",
        "schema": {"type": "string", "enum": ["json"]},
        "style": "form", "explode": false
    });
    let mut paths = Map::new();
    paths.insert(
        "/".into(),
        json!({"get": {
            "tags": ["Capabilities"],
            "summary": "Landing page (JSON, or the web map for browsers and f=html)",
            "operationId": "getLandingPage",
            "parameters": [{
                "name": "f", "in": "query", "required": false,
                "description": "json (default) or html (the web map); without f the Accept header decides",
                "schema": {"type": "string", "enum": ["json", "html"]},
                "style": "form", "explode": false
            }],
            "responses": {
                "200": {"description": "Landing page", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/landingPage"}},
                    "text/html": {"schema": {"type": "string"}}
                }},
                "304": {"description": "Not modified"},
                "400": problem_response("Invalid query parameter"),
                "405": problem_response("Method not allowed"),
                "500": problem_response("Server error")
            }
        }}),
    );
    paths.insert(
        "/conformance".into(),
        get_op(
            "getConformanceDeclaration",
            "Conformance classes implemented",
            "Capabilities",
            vec![f_plain.clone()],
            json_ok(
                "Conformance declaration",
                json!({"$ref": "#/components/schemas/confClasses"}),
            ),
            false,
        ),
    );
    paths.insert(
        "/api".into(),
        json!({"get": {
            "tags": ["Capabilities"],
            "summary": "This API definition (OpenAPI 3.0.3)",
            "operationId": "getApiDefinition",
            "parameters": [f_plain.clone()],
            "responses": {
                "200": {"description": "The OpenAPI document", "content": {
                    "application/vnd.oai.openapi+json;version=3.0": {"schema": {"type": "object"}}
                }},
                "304": {"description": "Not modified"},
                "400": problem_response("Invalid query parameter"),
                "405": problem_response("Method not allowed"),
                "500": problem_response("Server error")
            }
        }}),
    );
    paths.insert(
        "/api.html".into(),
        json!({"get": {
            "tags": ["Capabilities"],
            "summary": "This API definition as an HTML page",
            "operationId": "getApiDocumentation",
            "responses": {
                "200": {"description": "HTML documentation", "content": {"text/html": {"schema": {"type": "string"}}}},
                "304": {"description": "Not modified"},
                "400": problem_response("Invalid query parameter"),
                "500": problem_response("Server error")
            }
        }}),
    );
    paths.insert(
        "/health".into(),
        json!({"get": {
            "tags": ["Capabilities"],
            "summary": "Liveness and readiness",
            "operationId": "getHealth",
            "responses": {
                "200": {"description": "Server status", "content": {"application/json": {"schema": {"type": "object"}}}},
                "500": problem_response("Server error")
            }
        }}),
    );
    paths.insert(
        "/collections".into(),
        get_op(
            "getCollections",
            "The feature collections",
            "Data",
            vec![f_plain.clone()],
            json_ok(
                "Collections",
                json!({"$ref": "#/components/schemas/collections"}),
            ),
            false,
        ),
    );
    for c in registry.iter() {
        let id = c.id();
        paths.insert(
            format!("/collections/{id}"),
            get_op(
                &format!("describe{}Collection", capital(id)),
                &format!("Metadata of the {id} collection"),
                "Data",
                vec![f_plain.clone()],
                json_ok(
                    "Collection",
                    json!({"$ref": "#/components/schemas/collection"}),
                ),
                true,
            ),
        );
        let formats: Vec<&str> = c.formats().iter().map(|f| f.param()).collect();
        let mut params = vec![
            pref("bbox"),
            pref("datetime"),
            pref("limit"),
            pref("cursor"),
            json!({
                "name": "f", "in": "query", "required": false,
                "description": "Output format: json (GeoJSON, default), csv (ACLED-compatible columns), jsonseq (RFC 8142)",
                "schema": {"type": "string", "enum": formats},
                "style": "form", "explode": false
            }),
            pref("crs"),
            pref("bbox-crs"),
        ];
        for q in c.queryables() {
            params.push(json!({
                "name": q.name,
                "in": "query",
                "required": false,
                "description": q.description,
                "schema": q.schema(),
                "style": "form",
                "explode": false
            }));
        }
        let mut content = Map::new();
        content.insert(
            "application/geo+json".into(),
            json!({"schema": {"$ref": "#/components/schemas/featureCollectionGeoJSON"}}),
        );
        if formats.contains(&"csv") {
            content.insert("text/csv".into(), json!({"schema": {"type": "string"}}));
        }
        content.insert(
            "application/geo+json-seq".into(),
            json!({"schema": {"type": "string"}}),
        );
        paths.insert(
            format!("/collections/{id}/items"),
            get_op(
                &format!("get{}Features", capital(id)),
                &format!("Features of the {id} collection (bbox, datetime, property filters, keyset paging)"),
                "Data",
                params,
                json!({"description": "The selected features; numberMatched is exact; next/prev links page with a keyset cursor", "content": content}),
                true,
            ),
        );
        let mut item_content = Map::new();
        item_content.insert(
            "application/geo+json".into(),
            json!({"schema": {"$ref": "#/components/schemas/featureGeoJSON"}}),
        );
        if formats.contains(&"csv") {
            item_content.insert("text/csv".into(), json!({"schema": {"type": "string"}}));
        }
        item_content.insert(
            "application/geo+json-seq".into(),
            json!({"schema": {"type": "string"}}),
        );
        paths.insert(
            format!("/collections/{id}/items/{{featureId}}"),
            get_op(
                &format!("get{}Feature", capital(id)),
                &format!("One feature of the {id} collection"),
                "Data",
                vec![
                    json!({"name": "featureId", "in": "path", "required": true, "description": c.id_description(), "schema": {"type": "string"}}),
                    json!({
                        "name": "f", "in": "query", "required": false,
                        "description": "Output format",
                        "schema": {"type": "string", "enum": formats},
                        "style": "form", "explode": false
                    }),
                ],
                json!({"description": "The feature", "content": item_content}),
                true,
            ),
        );
        paths.insert(
            format!("/collections/{id}/queryables"),
            get_op(
                &format!("get{}Queryables", capital(id)),
                &format!("Queryable properties of the {id} collection (JSON Schema)"),
                "Data",
                vec![f_plain.clone()],
                json!({"description": "Queryables", "content": {"application/schema+json": {"schema": {"type": "object"}}}}),
                true,
            ),
        );
    }
    paths.insert(
        "/api/documents".into(),
        json!({"post": {
            "tags": ["Write"],
            "summary": "Ingest one document or an array of documents (same pipeline as `frontline ingest`)",
            "operationId": "postDocuments",
            "security": [{"bearer": []}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": [
                {"$ref": "#/components/schemas/document"},
                {"type": "array", "items": {"$ref": "#/components/schemas/document"}, "maxItems": 1000}
            ]}}}},
            "responses": write_responses("201", json!({"description": "Ingested; ids of events created and updated", "content": {"application/json": {"schema": {"type": "object"}}}}), true, false)
        }}),
    );
    paths.insert(
        "/api/events/{eventId}".into(),
        json!({
            "parameters": [{"name": "eventId", "in": "path", "required": true, "schema": {"type": "string"}}],
            "delete": {
                "tags": ["Write"],
                "summary": "Delete an event (recorded in the audit trail)",
                "operationId": "deleteEvent",
                "security": [{"bearer": []}],
                "responses": write_responses("204", json!({"description": "Deleted"}), false, true)
            },
            "patch": {
                "tags": ["Write"],
                "summary": "Correct an event's place, dates, type or actor (recorded in the audit trail)",
                "operationId": "patchEvent",
                "security": [{"bearer": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/eventPatch"}}}},
                "responses": write_responses("200", json!({"description": "The corrected event", "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/featureGeoJSON"}}}}), true, true)
            }
        }),
    );
    paths.insert(
        "/api/events/{eventId}/audit".into(),
        get_op(
            "getEventAudit",
            "Audit trail of manual changes to an event",
            "Write",
            vec![json!({"name": "eventId", "in": "path", "required": true, "schema": {"type": "string"}})],
            json_ok("Audit entries, oldest first", json!({"type": "array", "items": {"type": "object"}})),
            true,
        ),
    );
    paths.insert(
        "/api/events/stream".into(),
        json!({"get": {
            "tags": ["Live"],
            "summary": "Server-Sent Events: created, updated and deleted events",
            "operationId": "streamEvents",
            "responses": {
                "200": {"description": "An SSE stream; each message has event type created|updated|deleted and a JSON {kind, id, feature} data line", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                "400": problem_response("Invalid query parameter"),
                "500": problem_response("Server error")
            }
        }}),
    );
    paths.insert(
        "/api/extract".into(),
        json!({"post": {
            "tags": ["Write"],
            "summary": "Geoparse and extract events from a text without saving anything (paste-to-map preview)",
            "operationId": "extractPreview",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/document"}}}},
            "responses": {
                "200": {"description": "{mentions: [...], events: FeatureCollection}", "content": {"application/json": {"schema": {"type": "object"}}}},
                "400": problem_response("Malformed JSON body"),
                "405": problem_response("Method not allowed"),
                "413": problem_response("Request body too large"),
                "415": problem_response("Body is not application/json"),
                "422": problem_response("Invalid field value"),
                "500": problem_response("Server error"),
                "503": problem_response("The gazetteer is still loading; retry shortly")
            }
        }}),
    );

    if registry.get("frontline").is_some() {
        paths.insert(
            "/api/frontline/at".into(),
            get_op(
                "frontlineAt",
                "Is a point inside each front-line layer's latest snapshot dated on or before a date?",
                "Data",
                vec![
                    json!({"name": "lon", "in": "query", "required": true, "description": "Longitude (CRS84)", "schema": {"type": "number", "minimum": -180, "maximum": 180}}),
                    json!({"name": "lat", "in": "query", "required": true, "description": "Latitude (CRS84)", "schema": {"type": "number", "minimum": -90, "maximum": 90}}),
                    json!({"name": "date", "in": "query", "required": false, "description": "Day (YYYY-MM-DD); default today (UTC)", "schema": {"type": "string", "format": "date"}}),
                ],
                json_ok(
                    "The point, the date and one entry per layer (snapshot_date null when the layer has no snapshot on or before the date)",
                    json!({
                        "type": "object",
                        "required": ["lon", "lat", "date", "layers"],
                        "properties": {
                            "lon": {"type": "number"},
                            "lat": {"type": "number"},
                            "date": {"type": "string", "format": "date"},
                            "layers": {"type": "array", "items": {
                                "type": "object",
                                "required": ["layer", "inside", "snapshot_date"],
                                "properties": {
                                    "layer": {"type": "string"},
                                    "inside": {"type": "boolean"},
                                    "snapshot_date": {"type": "string", "format": "date", "nullable": true}
                                }
                            }}
                        }
                    }),
                ),
                false,
            ),
        );
    }

    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "frontline",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Dated events of the Russia-Ukraine war extracted from news reports, as OGC API - Features (Part 1 Core + GeoJSON + OpenAPI 3.0; Part 3 queryables). Every error is application/problem+json naming the parameter or field. GET responses carry a strong ETag (If-None-Match gives 304) and support HEAD; items responses also carry RFC 8288 Link headers. timeStamp is the time of the last change to the data the response was built from, so identical requests give identical bytes.",
            "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"}
        },
        "servers": [{"url": base}],
        "tags": [
            {"name": "Capabilities"}, {"name": "Data"}, {"name": "Write"}, {"name": "Live"}
        ],
        "paths": paths,
        "components": components(),
    })
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn components() -> Value {
    json!({
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "The value of FRONTLINE_TOKEN"}
        },
        "parameters": {
            "bbox": {
                "name": "bbox", "in": "query", "required": false,
                "description": "Only features inside this box: west,south,east,north (4 numbers) or west,south,minheight,east,north,maxheight (6), CRS84; west > east crosses the antimeridian",
                "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
                "style": "form", "explode": false
            },
            "datetime": {
                "name": "datetime", "in": "query", "required": false,
                "description": "Only features whose date range intersects this instant or interval: an RFC 3339 date-time or date, or a/b where either end may be '..' or empty",
                "schema": {"type": "string"},
                "style": "form", "explode": false
            },
            "limit": {
                "name": "limit", "in": "query", "required": false,
                "description": "Page size; values above the maximum are clamped to it",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                "style": "form", "explode": false
            },
            "cursor": {
                "name": "cursor", "in": "query", "required": false,
                "description": "Keyset paging token, taken from a next or prev link",
                "schema": {"type": "string"},
                "style": "form", "explode": false
            },
            "crs": {
                "name": "crs", "in": "query", "required": false,
                "description": "Only CRS84 is supported (accepted for clients that always send it)",
                "schema": {"type": "string", "format": "uri", "enum": [super::params::CRS84]},
                "style": "form", "explode": false
            },
            "bbox-crs": {
                "name": "bbox-crs", "in": "query", "required": false,
                "description": "Only CRS84 is supported (accepted for clients that always send it)",
                "schema": {"type": "string", "format": "uri", "enum": [super::params::CRS84]},
                "style": "form", "explode": false
            }
        },
        "schemas": {
            "problem": {
                "type": "object",
                "required": ["type", "title", "status", "detail"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "parameter": {"type": "string", "description": "The query parameter at fault"},
                    "field": {"type": "string", "description": "The body field at fault"}
                }
            },
            "link": {
                "type": "object",
                "required": ["href", "rel"],
                "properties": {
                    "href": {"type": "string"},
                    "rel": {"type": "string"},
                    "type": {"type": "string"},
                    "title": {"type": "string"}
                }
            },
            "landingPage": {
                "type": "object",
                "required": ["links"],
                "properties": {
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}}
                }
            },
            "confClasses": {
                "type": "object",
                "required": ["conformsTo"],
                "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}}
            },
            "collection": {
                "type": "object",
                "required": ["id", "links"],
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
                    "extent": {"type": "object"},
                    "itemType": {"type": "string"},
                    "crs": {"type": "array", "items": {"type": "string"}}
                }
            },
            "collections": {
                "type": "object",
                "required": ["links", "collections"],
                "properties": {
                    "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
                    "collections": {"type": "array", "items": {"$ref": "#/components/schemas/collection"}}
                }
            },
            "featureGeoJSON": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"type": "string"},
                    "geometry": {"type": "object", "nullable": true},
                    "properties": {"type": "object", "nullable": true},
                    "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}}
                }
            },
            "featureCollectionGeoJSON": {
                "type": "object",
                "required": ["type", "features"],
                "properties": {
                    "type": {"type": "string", "enum": ["FeatureCollection"]},
                    "features": {"type": "array", "items": {"$ref": "#/components/schemas/featureGeoJSON"}},
                    "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
                    "timeStamp": {"type": "string", "format": "date-time"},
                    "numberMatched": {"type": "integer", "minimum": 0},
                    "numberReturned": {"type": "integer", "minimum": 0}
                }
            },
            "document": {
                "type": "object",
                "required": ["text", "published"],
                "properties": {
                    "id": {"type": "string", "description": "Caller's id; stable across re-ingest (default: derived from url or text)"},
                    "text": {"type": "string"},
                    "published": {"type": "string", "format": "date-time", "description": "RFC 3339 date-time or YYYY-MM-DD"},
                    "source": {"type": "string"},
                    "url": {"type": "string"},
                    "title": {"type": "string"},
                    "language": {"type": "string"}
                }
            },
            "eventPatch": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "place": {"type": "object", "additionalProperties": false, "properties": {
                        "name": {"type": "string"}, "lat": {"type": "number"}, "lon": {"type": "number"},
                        "geonameid": {"type": "integer"}, "country_code": {"type": "string"},
                        "admin1": {"type": "string"}, "precision": {"type": "string"}
                    }},
                    "date_start": {"type": "string", "format": "date"},
                    "date_end": {"type": "string", "format": "date"},
                    "time_precision": {"type": "string", "enum": ["day", "days", "week", "month", "year"]},
                    "event_type": {"type": "string"},
                    "sub_event_type": {"type": "string"},
                    "frontline": {"type": "boolean"},
                    "actor": {"type": "string", "enum": ["russia", "ukraine", "other", "unknown"]},
                    "note": {"type": "string"}
                }
            }
        }
    })
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A plain HTML rendering of the document (the `service-doc`).
pub fn html(doc: &Value) -> String {
    let mut s = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>frontline API</title>\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}\
         code{background:#f3f3f3;padding:0 .2em}td{vertical-align:top;padding:.2em .6em}</style></head><body>",
    );
    s.push_str("<h1>frontline API</h1><p>");
    s.push_str(&esc(doc["info"]["description"].as_str().unwrap_or("")));
    s.push_str("</p><p>Machine-readable definition: <a href=\"api\">/api</a> (OpenAPI 3.0.3). Web map: <a href=\"./?f=html\">/</a>.</p><table>");
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            if let Some(ops) = item.as_object() {
                for (method, op) in ops {
                    if method == "parameters" {
                        continue;
                    }
                    s.push_str(&format!(
                        "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                        esc(&method.to_uppercase()),
                        esc(path),
                        esc(op["summary"].as_str().unwrap_or(""))
                    ));
                }
            }
        }
    }
    s.push_str("</table></body></html>");
    s
}
