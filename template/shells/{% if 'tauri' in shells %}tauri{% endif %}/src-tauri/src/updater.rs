//! In-app updates, compiled only when the project has an update feed (`updater` feature).
//!
//! The feed and the public key come from tauri.conf.json (`plugins.updater`); a build without
//! them (`npm run dev` before the key exists, `npm run build -- --no-updater`) skips updates.

use std::sync::Arc;

use tauri::{App, AppHandle};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};
use tauri_plugin_updater::UpdaterExt;

use crate::Backend;

fn configured(config: &tauri::Config) -> bool {
    config.plugins.0.contains_key("updater")
}

/// Register the updater plugin if tauri.conf.json configures it.
pub fn register(app: &mut App) -> tauri::Result<()> {
    if configured(app.config()) {
        app.handle()
            .plugin(tauri_plugin_updater::Builder::new().build())?;
    }
    Ok(())
}

/// Check the feed once; offer a newer version; install it and restart if the user agrees.
pub fn check_in_background(app: AppHandle, backend: Arc<Backend>) {
    if !configured(app.config()) {
        return;
    }
    tauri::async_runtime::spawn(async move {
        if let Err(error) = check(&app, &backend).await {
            eprintln!("update check failed: {error}");
        }
    });
}

async fn check(app: &AppHandle, backend: &Backend) -> tauri_plugin_updater::Result<()> {
    let Some(update) = app.updater()?.check().await? else {
        return Ok(());
    };
    let product = app.package_info().name.clone();
    let question = format!(
        "{product} {} is available (this is {}).\n\n\
         Install it now? {product} closes and restarts; your data is kept.",
        update.version, update.current_version
    );
    let dialog = app.clone();
    let install = tauri::async_runtime::spawn_blocking(move || {
        dialog
            .dialog()
            .message(question)
            .title(format!("Update {product}"))
            .kind(MessageDialogKind::Info)
            .buttons(MessageDialogButtons::OkCancelCustom(
                "Install and restart".to_string(),
                "Later".to_string(),
            ))
            .blocking_show()
    })
    .await
    .unwrap_or(false);
    if !install {
        return Ok(());
    }
    let bytes = update.download(|_, _| {}, || {}).await?;
    // The installer replaces the backend's files (Windows refuses to while they run).
    backend.stop();
    if let Err(error) = update.install(bytes) {
        eprintln!("installing the update failed: {error}");
    }
    // Updated or not, come back with a fresh backend.
    app.restart();
}
