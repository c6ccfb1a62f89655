#include "core/common/unixsignalwatcher.h"

#include <csignal>

#include <sys/socket.h>
#include <unistd.h>

namespace Aq
{
    namespace
    {
        int g_pipe[2] = {-1, -1};

        void handleSignal(int signalNumber)
        {
            const char byte = char(signalNumber);
            [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &byte, 1);
        }
    }

    UnixSignalWatcher::UnixSignalWatcher(QObject *parent)
        : QObject(parent)
    {
        if (g_pipe[0] < 0 && ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_pipe) != 0)
            return;
        m_notifier = new QSocketNotifier(g_pipe[0], QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, &UnixSignalWatcher::handleActivated);
        struct sigaction action {};
        action.sa_handler = handleSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        ::sigaction(SIGTERM, &action, nullptr);
        ::sigaction(SIGINT, &action, nullptr);
        ::signal(SIGPIPE, SIG_IGN);
    }

    UnixSignalWatcher::~UnixSignalWatcher()
    {
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGINT, SIG_DFL);
    }

    void UnixSignalWatcher::handleActivated()
    {
        char byte = 0;
        if (::read(g_pipe[0], &byte, 1) == 1)
            Q_EMIT terminationRequested(int(byte));
    }
}
