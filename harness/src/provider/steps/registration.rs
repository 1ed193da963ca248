//! Sending client metadata to the server's registration endpoint (RFC 7591 §3.1), shared by the
//! steps that register a client.

use crate::provider::world::ProviderWorld;
use crate::suite::browser::Reply;

/// POSTs `metadata` as JSON to the registration endpoint; the reply is also the world's last.
pub(super) async fn register(
    world: &mut ProviderWorld,
    metadata: &serde_json::Value,
) -> Result<Reply, String> {
    let url = (world.ctx.endpoints.registration.clone())
        .ok_or("the server has no registration endpoint")?;
    world
        .post_json(&url, &[("accept", "application/json")], metadata)
        .await
}
