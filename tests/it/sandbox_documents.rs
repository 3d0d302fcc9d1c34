//! `GET /api/clients/{id}/documents` over real HTTP: the client's profile
//! picture and signature as metadata, without their content.

use crate::support::sandbox::*;
use serde_json::json;

#[tokio::test]
async fn the_listing_shows_each_stored_document_without_content() {
    let api = Api::start(config()).await;
    api.create(person("131241", "A", "B")).await;
    let (s, list) = api.get("/api/clients/131241/documents").await;
    assert_eq!((s, list), (200, json!([])));

    let doc = |name: &str, c: &str| json!({"document": {"name": name, "type": "png"}, "documentContent": c});
    let (_, sig) = api
        .post(
            "/api/clients/131241/documents/SIGNATURE",
            doc("sig", "c2ln"),
        )
        .await;
    let (_, pic) = api
        .post(
            "/api/clients/131241/documents/PROFILE_PICTURE",
            doc("picture", "iVBORw0KGgoAAAANSUhEUg=="),
        )
        .await;
    let (s, list) = api.get("/api/clients/131241/documents").await;
    assert_eq!(s, 200);
    // The picture first, then the signature; each as the POST answered it.
    assert_eq!(list, json!([pic, sig]));
    assert_eq!(list[0]["kind"], "PROFILE_PICTURE");
    assert_eq!(list[0]["fileSize"], 16);
    assert_eq!(list[0]["documentHolderType"], "CLIENT");
    assert!(list[1].get("documentContent").is_none());

    // By encoded key as well, and an unknown client is Mambu's 404.
    let key = pic["documentHolderKey"].as_str().unwrap().to_string();
    let (_, by_key) = api.get(&format!("/api/clients/{key}/documents")).await;
    assert_eq!(by_key, list);
    api.delete("/api/clients/131241/documents/SIGNATURE").await;
    let (_, list) = api.get("/api/clients/131241/documents").await;
    assert_eq!(list, json!([pic]));
    let (s, e) = api.get("/api/clients/nobody/documents").await;
    assert_eq!((s, code_of(&e)), (404, 301));
}
