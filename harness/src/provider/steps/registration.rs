//! Sending client metadata to the server's registration endpoint (RFC 7591 §3.1), shared by the
//! steps that register a client.

use crate::provider::world::ProviderWorld;
use crate::report::Party;
use crate::suite::browser::{Outgoing, Reply};

/// POSTs `metadata` as JSON to the registration endpoint; the reply is also the world's last.
pub(super) async fn register(
    world: &mut ProviderWorld,
    metadata: &serde_json::Value,
) -> Result<Reply, String> {
    let url = (world.ctx.endpoints.registration.clone())
        .ok_or("the server has no registration endpoint")?;
    let body = metadata.to_string();
    let reply = world
        .send(Outgoing {
            from: Party::Client,
            by: None,
            to: Party::Provider,
            method: "POST",
            url: &url,
            headers: &[("accept", "application/json")],
            cookies: None,
            body: Some(("application/json", &body)),
        })
        .await?;
    world.last = Some(reply.clone());
    Ok(reply)
}
