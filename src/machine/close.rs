//! Why the client closes a socket (or gives up creating one), typed: each
//! reason's wire string, the cause of the transition it makes and the
//! trigger of the reconnect that follows are derived here, in one place.

use super::event::{Cause, Trigger};
use alloc::string::String;

/// Why the client closed a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientClose {
    /// No inbound frame within the inactivity timeout.
    Inactivity,
    /// The handshake did not open within the connect timeout.
    ConnectTimeout,
    /// A heartbeat ping went unanswered.
    HeartbeatTimeout,
    /// A probe (visible, online, wake) went unanswered.
    ProbeTimeout,
    /// Sending on the socket threw.
    SendFailed,
    /// The socket could not be created.
    DialFailed(DialFailure),
    /// A handshake begun before the machine slept was abandoned.
    Wake,
    /// The page stayed hidden longer than `stop_when_hidden_ms`.
    Hidden,
    /// The page went into the back/forward cache.
    PageHide,
    /// `stop()`.
    Stop,
    /// `terminate()`.
    Terminate,
    /// `reconnect()`.
    Reconnect,
    /// A socket the shell found replaced (a guard: the machine closes before
    /// it connects).
    Replaced,
}

/// Why a socket could not be created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialFailure {
    /// The URL function threw, rejected, answered a non-string or missed
    /// its deadline.
    UrlProvider,
    /// The token provider did.
    TokenProvider,
    /// The WebSocket constructor threw.
    Constructor,
}

impl ClientClose {
    /// The close reason sent (and reported as `lastCloseReason`).
    pub fn reason(self) -> &'static str {
        match self {
            ClientClose::Inactivity => INACTIVE_SERVER,
            ClientClose::ConnectTimeout => CONNECT_TIMEOUT,
            ClientClose::HeartbeatTimeout => HEARTBEAT_TIMEOUT,
            ClientClose::ProbeTimeout => PROBE_TIMEOUT,
            ClientClose::SendFailed => FAILED_TO_SEND,
            ClientClose::DialFailed(DialFailure::UrlProvider) => "UrlProviderFailed",
            ClientClose::DialFailed(DialFailure::TokenProvider) => "TokenProviderFailed",
            ClientClose::DialFailed(DialFailure::Constructor) => "ConstructorFailed",
            ClientClose::Wake => WAKE,
            ClientClose::Hidden => "Hidden",
            ClientClose::PageHide => PAGE_HIDDEN,
            ClientClose::Stop => STOPPED,
            ClientClose::Terminate => TERMINATED,
            ClientClose::Reconnect => RECONNECT,
            ClientClose::Replaced => "Replaced",
        }
    }

    /// The cause of the state change the close makes.
    pub fn cause(self) -> Cause {
        match self {
            ClientClose::Inactivity => Cause::Inactivity,
            ClientClose::ConnectTimeout => Cause::ConnectTimeout,
            ClientClose::HeartbeatTimeout => Cause::HeartbeatTimeout,
            ClientClose::ProbeTimeout => Cause::ProbeTimeout,
            ClientClose::SendFailed => Cause::SendFailed,
            ClientClose::DialFailed(_) => Cause::DialFailed,
            ClientClose::Wake => Cause::Wake,
            ClientClose::Hidden => Cause::Hidden,
            ClientClose::PageHide => Cause::PageHide,
            ClientClose::Stop => Cause::Stop,
            ClientClose::Terminate => Cause::Terminate,
            ClientClose::Reconnect => Cause::Reconnect,
            ClientClose::Replaced => Cause::Close,
        }
    }

    /// What the reconnect after the backoff wait reports as its trigger.
    pub fn trigger(self) -> Trigger {
        match self {
            ClientClose::Inactivity => Trigger::Inactivity,
            ClientClose::HeartbeatTimeout | ClientClose::ProbeTimeout => Trigger::Heartbeat,
            ClientClose::Wake => Trigger::Wake,
            _ => Trigger::Backoff,
        }
    }
}

/// `lastCloseReason` of the first connection.
pub const INITIAL_CONNECT: &str = "InitialConnect";
/// The reason when the server was silent too long.
pub const INACTIVE_SERVER: &str = "InactiveServer";
/// The reason when a handshake took longer than the connect timeout.
pub const CONNECT_TIMEOUT: &str = "ConnectTimeout";
/// The reason when sending threw.
pub const FAILED_TO_SEND: &str = "FailedToSendMessage";
/// The default reason of `stop()`.
pub const STOPPED: &str = "Stopped";
/// The reason of `terminate()`.
pub const TERMINATED: &str = "Terminated";
/// The default reason of `reconnect()`.
pub const RECONNECT: &str = "Reconnect";
/// The reason when the page goes into the back/forward cache.
pub const PAGE_HIDDEN: &str = "PageHidden";
/// The reason when a heartbeat ping went unanswered.
pub const HEARTBEAT_TIMEOUT: &str = "HeartbeatTimeout";
/// The reason when a probe went unanswered.
pub const PROBE_TIMEOUT: &str = "ProbeTimeout";
/// The reason when a handshake begun before a sleep is abandoned.
pub const WAKE: &str = "Wake";
/// The normal close code, sent by every client close.
pub const CLOSE_NORMAL: u16 = 1000;

/// Close codes that are normal enough not to be logged or reported.
pub fn is_quiet(code: u16) -> bool {
    // 1005 is common on mobile when the app goes to the background; 4040 is
    // Convex's transient "not found" during a push.
    matches!(code, 1000 | 1001 | 1005 | 4040)
}

/// `"closed with code N"`, without pulling in the formatting machinery.
pub(super) fn closed_with_code(code: u16) -> String {
    let mut s = String::from("closed with code ");
    let mut digits = [0u8; 5];
    let mut n = code;
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(d) = digits.get_mut(start) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || start == 0 {
            break;
        }
    }
    s.extend(digits.iter().skip(start).map(|&d| char::from(d)));
    s
}

#[cfg(test)]
mod tests {
    use super::closed_with_code;

    #[test]
    fn closed_with_code_renders_digits() {
        assert_eq!(closed_with_code(0), "closed with code 0");
        assert_eq!(closed_with_code(7), "closed with code 7");
        assert_eq!(closed_with_code(1006), "closed with code 1006");
        assert_eq!(closed_with_code(65535), "closed with code 65535");
    }
}
