//! GeoReport v2 documents in JSON and XML, pure: one tree (`Node`) written
//! in either format in the spec's shapes, and the request lists real
//! endpoints return read back (numbers or text, `null`, `xsi:nil`, empty
//! elements). The rule: text goes out escaped — JSON escapes every control
//! character, and XML, which cannot hold most of them at all, gets their
//! visible Unicode pictures (ESC becomes ␛), so no raw control character from
//! a citizen's text ever leaves in an answer.

use quick_xml::events::Event;

use super::Format;
use super::record::Request;

/// A value in a GeoReport document.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Text, or null / an empty element.
    Text(Option<String>),
    /// A number (written as one in JSON when it is one; text otherwise).
    Num(Option<String>),
    Bool(bool),
    /// A list; in XML each item is an element named by the tag.
    List(&'static str, Vec<Node>),
    /// Named fields, in order.
    Obj(Vec<(&'static str, Node)>),
}

impl Node {
    pub fn text(s: impl Into<String>) -> Node {
        Node::Text(Some(s.into()))
    }

    pub fn opt(s: Option<&str>) -> Node {
        Node::Text(s.map(str::to_owned))
    }
}

/// A document: its XML root element and its content.
pub fn render(format: Format, root: &str, node: &Node) -> String {
    match format {
        Format::Json => json(node).to_string(),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            xml_element(&mut out, root, node);
            out.push('\n');
            out
        }
    }
}

fn json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match node {
        Node::Text(None) | Node::Num(None) => Value::Null,
        Node::Text(Some(s)) => Value::String(s.clone()),
        Node::Num(Some(s)) => s
            .parse::<serde_json::Number>()
            .map_or_else(|_| Value::String(s.clone()), Value::Number),
        Node::Bool(b) => Value::Bool(*b),
        Node::List(_, items) => Value::Array(items.iter().map(json).collect()),
        Node::Obj(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), json(v)))
                .collect(),
        ),
    }
}

fn xml_element(out: &mut String, tag: &str, node: &Node) {
    let text = |out: &mut String, s: &str| {
        out.push('<');
        out.push_str(tag);
        out.push('>');
        out.push_str(&xml_text(s));
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
    };
    match node {
        Node::Text(None) | Node::Num(None) => {
            out.push('<');
            out.push_str(tag);
            out.push_str("/>");
        }
        Node::Text(Some(s)) | Node::Num(Some(s)) => text(out, s),
        Node::Bool(b) => text(out, if *b { "true" } else { "false" }),
        Node::List(item, items) => {
            out.push('<');
            out.push_str(tag);
            out.push('>');
            for i in items {
                xml_element(out, item, i);
            }
            out.push_str("</");
            out.push_str(tag);
            out.push('>');
        }
        Node::Obj(fields) => {
            out.push('<');
            out.push_str(tag);
            out.push('>');
            for (k, v) in fields {
                xml_element(out, k, v);
            }
            out.push_str("</");
            out.push_str(tag);
            out.push('>');
        }
    }
}

/// Text escaped for XML 1.0: markup characters as entities, and control
/// characters XML cannot carry as their visible pictures (tab and line
/// breaks stay).
pub fn xml_text(s: &str) -> String {
    let visible: String = s
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            '\u{80}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect();
    quick_xml::escape::escape(visible.as_str()).into_owned()
}

/// The spec's error document: `[{"code":400,"description":"…"}]`.
pub fn errors(format: Format, code: u16, description: &str) -> String {
    let node = Node::List(
        "error",
        vec![Node::Obj(vec![
            ("code", Node::Num(Some(code.to_string()))),
            ("description", Node::text(description)),
        ])],
    );
    render(format, "errors", &node)
}

/// A list of requests (`<service_requests>`).
pub fn requests(format: Format, list: &[Request]) -> String {
    let items = list
        .iter()
        .map(|r| {
            Node::Obj(
                r.fields()
                    .iter()
                    .map(|(k, v)| {
                        let value = if matches!(*k, "lat" | "long") {
                            Node::Num(v.map(str::to_owned))
                        } else {
                            Node::opt(*v)
                        };
                        (*k, value)
                    })
                    .collect(),
            )
        })
        .collect();
    render(format, "service_requests", &Node::List("request", items))
}

/// Why a file could not be read as GeoReport requests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReadError(pub String);

/// What a GeoReport document holds, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    Requests(Vec<Request>),
    /// A services list (`<services>`, or objects with service_code and no
    /// request fields): not requests.
    Services(usize),
}

/// Reads a GeoReport requests document, JSON or XML (told by its first
/// character).
pub fn read(text: &str) -> Result<Document, ReadError> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('<') {
        read_xml(t)
    } else {
        read_json(t)
    }
}

fn scalar(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

fn read_json(text: &str) -> Result<Document, ReadError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        ReadError(format!(
            "not valid JSON ({e}): give the JSON or XML a GeoReport v2 endpoint returns for GET requests"
        ))
    })?;
    let items = match &value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(o) => {
            match o.get("service_requests").or_else(|| o.get("requests")) {
                Some(serde_json::Value::Array(items)) => items,
                _ => {
                    return Err(ReadError(
                    "a JSON object where a list of requests belongs: give the list GET /requests.json returns ([{\"service_request_id\": …}, …])".into(),
                ));
                }
            }
        }
        _ => {
            return Err(ReadError(
                "JSON that is not a list of requests: give the list GET /requests.json returns"
                    .into(),
            ));
        }
    };
    let mut out = Vec::with_capacity(items.len());
    let mut services = 0;
    for (i, item) in items.iter().enumerate() {
        let serde_json::Value::Object(o) = item else {
            return Err(ReadError(format!(
                "item {} of the list is not an object with request fields",
                i + 1
            )));
        };
        if o.contains_key("metadata") && !o.contains_key("status") {
            services += 1;
            continue;
        }
        let mut r = Request::default();
        for (k, v) in o {
            r.set(k, scalar(v));
        }
        out.push(r);
    }
    if out.is_empty() && services > 0 {
        return Ok(Document::Services(services));
    }
    Ok(Document::Requests(out))
}

fn read_xml(text: &str) -> Result<Document, ReadError> {
    let bad = |e: &dyn std::fmt::Display, at: u64| {
        ReadError(format!(
            "not valid XML at byte {at} ({e}): give the XML a GeoReport v2 endpoint returns for GET requests"
        ))
    };
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    let mut root = String::new();
    let mut out: Vec<Request> = Vec::new();
    let mut items = 0usize;
    let mut current: Option<Request> = None;
    let mut field: Option<(String, String, bool)> = None; // name, text, nil
    loop {
        let event = reader
            .read_event()
            .map_err(|e| bad(&e, reader.error_position()))?;
        match event {
            Event::Start(e) => {
                depth += 1;
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                match depth {
                    1 => root = name,
                    2 => {
                        items += 1;
                        current = Some(Request::default());
                    }
                    3 => field = Some((name, String::new(), is_nil(&e))),
                    _ => {}
                }
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                match depth + 1 {
                    1 => root = name,
                    2 => {
                        items += 1;
                        if root != "services" {
                            out.push(Request::default());
                        }
                    }
                    3 => {
                        if let Some(r) = current.as_mut() {
                            r.set(&name, None);
                        }
                    }
                    _ => {}
                }
            }
            Event::End(_) => {
                match depth {
                    2 => {
                        if let Some(r) = current.take()
                            && root != "services"
                        {
                            out.push(r);
                        }
                    }
                    3 => {
                        if let (Some(r), Some((name, text, nil))) = (current.as_mut(), field.take())
                        {
                            let value = (!nil).then(|| text.trim().to_owned());
                            r.set(&name, value);
                        }
                    }
                    _ => {}
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) if depth >= 3 => {
                let s = t
                    .xml_content()
                    .map_err(|e| bad(&e, reader.buffer_position()))?;
                if let Some((_, text, _)) = field.as_mut() {
                    text.push_str(&s);
                }
            }
            Event::CData(t) if depth >= 3 => {
                let s = t.decode().map_err(|e| bad(&e, reader.buffer_position()))?;
                if let Some((_, text, _)) = field.as_mut() {
                    text.push_str(&s);
                }
            }
            Event::GeneralRef(r) if depth >= 3 => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| bad(&e, reader.buffer_position()))?
                        .map(String::from)
                } else {
                    let name = r.decode().map_err(|e| bad(&e, reader.buffer_position()))?;
                    quick_xml::escape::resolve_predefined_entity(&name).map(str::to_owned)
                };
                let Some(c) = c else {
                    return Err(bad(&"an unknown entity", reader.buffer_position()));
                };
                if let Some((_, text, _)) = field.as_mut() {
                    text.push_str(&c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(bad(
            &"the document ends inside an element",
            reader.buffer_position(),
        ));
    }
    match root.as_str() {
        "service_requests" | "requests" => Ok(Document::Requests(out)),
        "services" => Ok(Document::Services(items)),
        "" => Err(ReadError(
            "an empty XML document: give the XML a GeoReport v2 endpoint returns for GET requests"
                .into(),
        )),
        other => Err(ReadError(format!(
            "XML whose root is <{other}>, not <service_requests>: give the XML GET /requests.xml returns"
        ))),
    }
}

fn is_nil(e: &quick_xml::events::BytesStart<'_>) -> bool {
    e.attributes()
        .flatten()
        .any(|a| a.key.local_name().as_ref() == b"nil" && a.value.as_ref() == b"true")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_in_both_formats() {
        assert_eq!(
            errors(Format::Json, 403, "bad key"),
            r#"[{"code":403,"description":"bad key"}]"#
        );
        assert_eq!(
            errors(Format::Xml, 400, "a < b \u{1b}[31m"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors><error><code>400</code><description>a &lt; b \u{241b}[31m</description></error></errors>\n"
        );
    }

    #[test]
    fn xml_and_json_requests_read_back() {
        let r = Request {
            service_request_id: Some("419239437".into()),
            status: Some("open".into()),
            description: Some("fish & chips \u{1b}]0;x\u{7}".into()),
            lat: Some("35.7".into()),
            ..Request::default()
        };
        for f in [Format::Json, Format::Xml] {
            let text = requests(f, std::slice::from_ref(&r));
            assert!(!text.contains('\u{1b}'), "{text}");
            let Document::Requests(back) = read(&text).unwrap() else {
                panic!("not requests")
            };
            assert_eq!(back[0].service_request_id, r.service_request_id);
            assert_eq!(back[0].lat.as_deref(), Some("35.7"));
            assert_eq!(back[0].status_notes, None);
        }
        let Document::Requests(j) =
            read(&requests(Format::Json, std::slice::from_ref(&r))).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            j[0].description, r.description,
            "JSON keeps the text exactly"
        );
        let x = r#"<service_requests><request><service_request_id>7</service_request_id>
            <updated_datetime xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>
            <status_notes/><description>a &amp; b &#233;</description></request></service_requests>"#;
        let Document::Requests(v) = read(x).unwrap() else {
            panic!()
        };
        assert_eq!(v[0].description.as_deref(), Some("a & b é"));
        assert_eq!(v[0].updated_datetime, None);
        assert!(read("<service_requests><request>").is_err());
        assert!(read("[{\"a\": 1},").is_err());
        assert!(
            read("<services><service><service_code>1</service_code></service></services>")
                .is_ok_and(|d| d == Document::Services(1))
        );
    }
}
