//! The Discord bot: rendering (snapshots and limits under random input), and end-to-end runs of the
//! real serenity client against a fake Discord on 127.0.0.1.

mod cli;
mod e2e;
pub mod fake;
mod hostile;
mod limits;
mod render;
mod settings;
mod study;
mod texts;

/// The Discord limits check, for other test modules.
pub fn limits_check(message: &serde_json::Value) {
    limits::check_message(message);
}

/// The bot's (asynchronous) handler called from tests that are not async themselves (snapshots,
/// proptest): each call waits on the tests' own runtime. Only tests do this; the front ends await.
pub trait Now {
    fn handle_now(&self, action: cabildo::discord::commands::Action) -> cabildo::reply::Reply;
    fn respond_now(
        &self,
        member: u64,
        action: cabildo::discord::commands::Action,
    ) -> cabildo::reply::Reply;
    fn respond_in_now(
        &self,
        origin: cabildo::discord::commands::Origin,
        action: cabildo::discord::commands::Action,
    ) -> cabildo::reply::Reply;
}

/// The runtime [`Now`] waits on.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("the tests' runtime")
    })
}

impl Now for cabildo::discord::handler::Bot {
    fn handle_now(&self, action: cabildo::discord::commands::Action) -> cabildo::reply::Reply {
        runtime().block_on(self.handle(action))
    }
    fn respond_now(
        &self,
        member: u64,
        action: cabildo::discord::commands::Action,
    ) -> cabildo::reply::Reply {
        runtime().block_on(self.respond(member, action))
    }
    fn respond_in_now(
        &self,
        origin: cabildo::discord::commands::Origin,
        action: cabildo::discord::commands::Action,
    ) -> cabildo::reply::Reply {
        runtime().block_on(self.respond_in(origin, action))
    }
}
