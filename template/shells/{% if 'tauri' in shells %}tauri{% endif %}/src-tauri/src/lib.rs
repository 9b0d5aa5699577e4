//! The Tauri shell: start the Django backend, show the splash until its ready line, open the
//! app through the bootstrap URL, keep the window on the app's origin, stop the backend on exit.
//!
//! The decisions live in `contract.rs` (standard library only, tested with plain `rustc`);
//! this file wires them to Tauri.

mod contract;
mod project;
#[cfg(feature = "updater")]
mod updater;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use tauri::webview::{NewWindowResponse, PageLoadEvent};
use tauri::{AppHandle, Manager, RunEvent, Url, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

use contract::Navigation;

const MAIN_WINDOW: &str = "main";
/// Set to 1 by `scripts/smoke.cjs`: quit once the app page has loaded, never show dialogs.
const SMOKE_ENV: &str = "DESKTOP_DJANGO_SMOKE";

/// The backend process and what the shell knows about it.
#[derive(Default)]
pub struct Backend {
    child: Mutex<Option<Child>>,
    /// 0 until the ready line arrived.
    port: AtomicU16,
    stopping: AtomicBool,
    log_file: Mutex<PathBuf>,
    stderr_tail: Arc<Mutex<contract::TailBuffer>>,
}

impl Backend {
    fn port(&self) -> Option<u16> {
        Some(self.port.load(Ordering::SeqCst)).filter(|port| *port != 0)
    }

    fn log_file(&self) -> PathBuf {
        self.log_file.lock().unwrap().clone()
    }

    fn exit_code(&self, wait: Duration) -> Option<Option<i32>> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(child) = self.child.lock().unwrap().as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    return Some(status.code());
                }
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Close the backend's stdin (its stop signal), wait for it, and kill its process tree only
    /// if it is still running after the grace period. Returns None if no backend was running,
    /// else its exit code (None when it had to be killed).
    pub fn stop(&self) -> Option<Option<i32>> {
        self.stopping.store(true, Ordering::SeqCst);
        let mut child = self.child.lock().unwrap().take()?;
        drop(child.stdin.take());
        let deadline = Instant::now() + contract::STOP_GRACE;
        while Instant::now() < deadline {
            match child.try_wait() {
                Ok(Some(status)) => return Some(status.code()),
                Ok(None) => thread::sleep(Duration::from_millis(50)),
                Err(_) => break,
            }
        }
        kill_tree(&mut child);
        Some(None)
    }

    /// Stop the backend and report how it ended on the status channel.
    fn stop_and_report(&self) {
        if let Some(code) = self.stop() {
            let code = code.map_or("null".into(), |code| code.to_string());
            status_line("backend-stopped", &[("code", code)]);
        }
    }
}

fn kill_tree(child: &mut Child) {
    let (program, args) = contract::kill_tree_command(child.id(), cfg!(windows));
    let mut command = Command::new(program);
    command
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    no_console_window(&mut command);
    let _ = command.status();
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(windows)]
fn no_console_window(command: &mut Command) {
    use std::os::windows::process::CommandExt;
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    command.creation_flags(CREATE_NO_WINDOW);
}

#[cfg(not(windows))]
fn no_console_window(_command: &mut Command) {}

/// The backend gets its own process group, so that stopping it reaches its task worker too.
#[cfg(unix)]
fn own_process_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

#[cfg(not(unix))]
fn own_process_group(_command: &mut Command) {}

/// SIGTERM, SIGINT and SIGHUP (logout, shutdown, `kill`, Ctrl+C in a terminal) quit the app the
/// way closing its window does, so the backend gets its clean stop instead of losing its parent.
#[cfg(unix)]
fn quit_on_signals(app: AppHandle) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    match signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) {
        Ok(mut signals) => {
            thread::spawn(move || {
                if signals.forever().next().is_some() {
                    app.exit(0);
                }
            });
        }
        Err(error) => eprintln!("cannot watch for quit signals ({error})"),
    }
}

#[cfg(not(unix))]
fn quit_on_signals(_app: AppHandle) {}

fn smoke_mode() -> bool {
    std::env::var(SMOKE_ENV).is_ok_and(|value| value == "1")
}

/// One JSON line on stdout about the shell's progress (read by the smoke test).
fn status_line(event: &str, fields: &[(&str, String)]) {
    let mut line = String::from("{\"event\":");
    line.push_str(&contract::json_string(event));
    for (key, value) in fields {
        line.push_str(&format!(",{}:{value}", contract::json_string(key)));
    }
    line.push('}');
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

fn open_externally(url: &str) {
    if let Err(error) = tauri_plugin_opener::open_url(url, None::<&str>) {
        eprintln!("could not open {url} in the default program: {error}");
    }
}

fn focus_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// The navigation rule for the main window. `dev_server` is the Tauri CLI's static server for
/// the splash when a bare `tauri dev` started one (`npm run dev` does not).
fn navigation(url: &str, backend: &Backend, dev_server: Option<&str>) -> Navigation {
    if dev_server.is_some_and(|origin| contract::same_origin(url, origin)) {
        return Navigation::Allow;
    }
    contract::classify_navigation(url, backend.port())
}

fn create_main_window(app: &AppHandle, backend: &Arc<Backend>) -> tauri::Result<()> {
    let dev_server = match &app.config().build.dev_url {
        Some(url) if tauri::is_dev() => Some(url.to_string()),
        _ => None,
    };
    let (on_navigation, on_new_window) = (backend.clone(), backend.clone());
    let new_window_dev_server = dev_server.clone();
    let new_window_app = app.clone();
    WebviewWindowBuilder::new(app, MAIN_WINDOW, WebviewUrl::App("index.html".into()))
        .title(app.package_info().name.clone())
        .inner_size(1200.0, 800.0)
        .min_inner_size(640.0, 480.0)
        .on_navigation(move |url| {
            match navigation(url.as_str(), &on_navigation, dev_server.as_deref()) {
                Navigation::Allow => true,
                Navigation::OpenExternally => {
                    open_externally(url.as_str());
                    false
                }
                Navigation::Block => false,
            }
        })
        .on_new_window(move |url, _features| {
            // target=_blank and window.open: app pages replace the main window's page,
            // web and mail links go to the OS, and no second webview is ever created.
            let dev_server = new_window_dev_server.as_deref();
            match navigation(url.as_str(), &on_new_window, dev_server) {
                Navigation::Allow => {
                    if let Some(window) = new_window_app.get_webview_window(MAIN_WINDOW) {
                        let _ = window.navigate(url);
                    }
                }
                Navigation::OpenExternally => open_externally(url.as_str()),
                Navigation::Block => {}
            }
            NewWindowResponse::Deny
        })
        .on_page_load(|window, payload| {
            let Some(port) = window.state::<Arc<Backend>>().port() else {
                return;
            };
            let url = payload.url().as_str();
            let on_app = contract::is_app_url(url, port) && !url.contains(contract::BOOTSTRAP_PATH);
            if matches!(payload.event(), PageLoadEvent::Finished) && on_app {
                status_line("page-loaded", &[("url", contract::json_string(url))]);
                if smoke_mode() {
                    window.app_handle().exit(0);
                }
            }
        })
        .build()?;
    Ok(())
}

/// How to start the backend: the project's Python in development (`tauri dev`), the program
/// named by the bundled stage's manifest when packaged.
fn backend_command(app: &AppHandle) -> Result<contract::BackendCommand, String> {
    if tauri::is_dev() {
        let root = contract::dev_project_root(Path::new(env!("CARGO_MANIFEST_DIR")));
        let env_python = std::env::var(contract::PYTHON_ENV).ok();
        let python =
            contract::pick_python(&root, env_python.as_deref(), cfg!(windows), |p| p.is_file());
        let pythonpath = std::env::var("PYTHONPATH").ok();
        return Ok(contract::dev_backend_command(
            &root,
            python,
            project::BACKEND_MODULE,
            project::SOURCE_DIR,
            cfg!(windows),
            pythonpath.as_deref(),
        ));
    }
    let resources = app
        .path()
        .resource_dir()
        .map_err(|e| format!("no resource directory ({e})"))?;
    let stage = resources.join(contract::STAGE_DIR);
    let manifest_path = stage.join(contract::MANIFEST_FILE);
    let manifest = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("cannot read {} ({e})", manifest_path.display()))?;
    Ok(contract::BackendCommand {
        program: contract::packaged_executable(&stage, &manifest)?,
        args: Vec::new(),
        cwd: stage,
        env: Vec::new(),
    })
}

fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; contract::TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| format!("no secure random numbers ({e})"))?;
    Ok(contract::hex(&bytes))
}

/// Show why the backend is not running (naming the log file), then quit.
fn fail(app: &AppHandle, backend: &Backend, reason: &str) {
    let tail = backend.stderr_tail.lock().unwrap().text();
    let product = app.package_info().name.clone();
    let message = contract::failure_message(&product, reason, &backend.log_file(), &tail);
    eprintln!("{message}");
    let log_file = backend.log_file().display().to_string();
    status_line(
        "backend-failed",
        &[
            ("reason", contract::json_string(reason)),
            ("log_file", contract::json_string(&log_file)),
        ],
    );
    if !smoke_mode() {
        app.dialog()
            .message(message)
            .title(format!("{product} could not start"))
            .kind(MessageDialogKind::Error)
            .blocking_show();
    }
    backend.stop();
    app.exit(1);
}

/// Lines of a child's output, lossy-decoded (a stray byte must not end the reader).
fn lines(stream: impl Read) -> impl Iterator<Item = String> {
    let mut reader = BufReader::new(stream);
    std::iter::from_fn(move || {
        let mut buffer = Vec::new();
        match reader.read_until(b'\n', &mut buffer) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(String::from_utf8_lossy(&buffer).into_owned()),
        }
    })
}

/// Runs on its own thread: start the backend, wait for the ready line, open the app, and report
/// the backend stopping on its own.
fn run_backend(app: AppHandle, backend: Arc<Backend>, app_data_dir: PathBuf) {
    *backend.log_file.lock().unwrap() = contract::default_log_file(&app_data_dir);
    let started = new_token().and_then(|token| {
        let command = backend_command(&app)?;
        let mut process = Command::new(&command.program);
        process
            .args(&command.args)
            .current_dir(&command.cwd)
            .envs(command.env.iter().map(|(k, v)| (k, v)))
            .envs(contract::backend_env(&app_data_dir, &token))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        no_console_window(&mut process);
        own_process_group(&mut process);
        let child = process
            .spawn()
            .map_err(|e| format!("cannot start {} ({e})", command.program.display()))?;
        Ok((child, token))
    });
    let (mut child, token) = match started {
        Ok(started) => started,
        Err(reason) => return fail(&app, &backend, &reason),
    };
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    *backend.child.lock().unwrap() = Some(child);

    let tail = backend.stderr_tail.clone();
    thread::spawn(move || {
        for line in lines(stderr) {
            eprint!("backend: {line}");
            tail.lock().unwrap().push(&line);
        }
    });
    // Some(info) for each ready line (later ones come from the development reloader), None when
    // stdout closes (the backend exited).
    let (events, ready) = mpsc::channel();
    thread::spawn(move || {
        for line in lines(stdout) {
            if let Some(info) = contract::parse_ready_line(&line) {
                let _ = events.send(Some(info));
            }
        }
        let _ = events.send(None);
    });

    let info = match ready.recv_timeout(contract::READY_TIMEOUT) {
        Ok(Some(info)) => info,
        Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => {
            let code = backend.exit_code(Duration::from_secs(5)).flatten();
            return fail(&app, &backend, &contract::describe_exit(code));
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            let seconds = contract::READY_TIMEOUT.as_secs();
            return fail(&app, &backend, &format!("no ready line within {seconds} s"));
        }
    };
    if let Some(log_file) = &info.log_file {
        *backend.log_file.lock().unwrap() = PathBuf::from(log_file);
    }
    backend.port.store(info.port, Ordering::SeqCst);
    status_line(
        "backend-ready",
        &[
            ("port", info.port.to_string()),
            (
                "backend_pid",
                info.pid.map_or("null".into(), |p| p.to_string()),
            ),
        ],
    );
    let url = contract::bootstrap_url(info.port, &token, &info.start_url);
    match (Url::parse(&url), app.get_webview_window(MAIN_WINDOW)) {
        (Ok(url), Some(window)) => {
            if let Err(error) = window.navigate(url) {
                return fail(
                    &app,
                    &backend,
                    &format!("cannot open the app page ({error})"),
                );
            }
        }
        _ => return fail(&app, &backend, "the main window is gone"),
    }
    #[cfg(feature = "updater")]
    if !tauri::is_dev() && !smoke_mode() {
        updater::check_in_background(app.clone(), backend.clone());
    }

    // Until the backend exits, on its own unless we are stopping it. Under the development
    // reloader a code edit restarts it on the same port with another ready line: the window keeps
    // its page. Its exit is polled too: a restarted child may still hold stdout open.
    loop {
        match ready.recv_timeout(Duration::from_millis(250)) {
            Ok(Some(again)) => {
                eprintln!("{}", contract::reload_message(info.port, &again));
                let pid = again.pid.map_or("null".into(), |p| p.to_string());
                status_line("backend-reloaded", &[("backend_pid", pid)]);
            }
            Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if backend.stopping.load(Ordering::SeqCst)
                    || backend.exit_code(Duration::ZERO).is_some()
                {
                    break;
                }
            }
        }
    }
    if !backend.stopping.load(Ordering::SeqCst) {
        let code = backend.exit_code(Duration::from_secs(5)).flatten();
        let reason = format!("{} while the app was open", contract::describe_exit(code));
        fail(&app, &backend, &reason);
    }
}

/// Menu id of Develop > Reload.
#[cfg(debug_assertions)]
const RELOAD_ID: &str = "reload";

/// Debug builds (`npm run dev`) get Develop > Reload (CmdOrCtrl+R): see an edited template or
/// static file without restarting the app. Release builds keep Tauri's default (a menu on macOS,
/// none elsewhere).
#[cfg(debug_assertions)]
fn with_reload_menu(builder: tauri::Builder<tauri::Wry>) -> tauri::Builder<tauri::Wry> {
    use tauri::menu::{Menu, MenuItem, Submenu};
    builder
        .menu(|app| {
            // macOS keeps its default menu: its Edit menu is what makes copy and paste work.
            let menu = if cfg!(target_os = "macos") {
                Menu::default(app)?
            } else {
                Menu::new(app)?
            };
            let reload = MenuItem::with_id(app, RELOAD_ID, "Reload", true, Some("CmdOrCtrl+R"))?;
            menu.append(&Submenu::with_items(app, "Develop", true, &[&reload])?)?;
            Ok(menu)
        })
        .on_menu_event(|app, event| {
            if event.id() == RELOAD_ID {
                if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
                    let _ = window.reload();
                }
            }
        })
}

#[cfg(not(debug_assertions))]
fn with_reload_menu(builder: tauri::Builder<tauri::Wry>) -> tauri::Builder<tauri::Wry> {
    builder
}

/// The app's entry point (`main.rs`).
pub fn run() {
    let backend = Arc::new(Backend::default());
    let setup_backend = backend.clone();
    let app = with_reload_menu(tauri::Builder::default())
        // First plugin: a second launch focuses this window and exits before doing anything.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            focus_main_window(app)
        }))
        .plugin(tauri_plugin_dialog::init())
        .manage(backend.clone())
        .setup(move |app| {
            #[cfg(feature = "updater")]
            updater::register(app)?;
            let handle = app.handle().clone();
            quit_on_signals(handle.clone());
            create_main_window(&handle, &setup_backend)?;
            let preset = std::env::var(contract::APP_DATA_ENV).ok();
            let app_data_dir =
                contract::resolve_app_data_dir(preset.as_deref(), app.path().app_local_data_dir()?);
            thread::spawn(move || run_backend(handle, setup_backend, app_data_dir));
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("error while building the Tauri application");
    app.run(move |_app, event| {
        if let RunEvent::Exit = event {
            backend.stop_and_report();
        }
    });
}
