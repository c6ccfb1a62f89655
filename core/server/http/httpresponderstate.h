#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QMutex>

namespace Aq::Server
{
    class HttpConnection;

    // What an HttpResponder shares with its HttpConnection for one request. It outlives the connection when a
    // handler keeps the responder: the connection detaches itself (under the mutex) before it goes, and from then on
    // every call through the responder is dropped. That is the use-after-free QtHttpServer 6.4 has and we must not.
    class HttpResponderState : public std::enable_shared_from_this<HttpResponderState>
    {
    public:
        using Action = std::function<void(HttpConnection *connection)>;

        HttpResponderState(HttpConnection *connection, qint64 lowWaterMark);

        // Runs action with the connection on the connection's thread: directly when called there, queued
        // otherwise. Does nothing once the connection has let go of this request.
        void run(Action action);

        // send() and startStream() claim the response, send(), finishStream() and abort() claim its end; each claim
        // succeeds once.
        bool claimResponse();
        bool claimFinish();
        bool isResponded() const;
        bool isFinished() const;
        bool isClientGone() const;

        void setDisconnectCallback(std::function<void()> callback);
        void setWritableCallback(std::function<void()> callback);

        void addQueuedBytes(qint64 bytes);
        void setSocketBytes(qint64 bytes);
        qint64 pendingBytes() const;
        qint64 lowWaterMark() const;

        // Connection side, on its thread.
        enum class Detach
        {
            Completed,
            ClientGone,
        };
        void detach(Detach reason);
        void notifyWritable();
        HttpConnection *connection() const;

    private:
        mutable QMutex m_mutex;
        HttpConnection *m_connection = nullptr;         // guarded by m_mutex
        std::function<void()> m_disconnectCallback;     // guarded by m_mutex
        std::function<void()> m_writableCallback;       // guarded by m_mutex
        std::atomic<bool> m_responded {false};
        std::atomic<bool> m_finished {false};
        std::atomic<bool> m_clientGone {false};
        std::atomic<qint64> m_queuedBytes {0};           // streamed by the producer, not yet handed to the socket
        std::atomic<qint64> m_socketBytes {0};           // the socket's bytesToWrite(), mirrored
        const qint64 m_lowWaterMark;
        bool m_inWritableCallback = false;               // connection thread only
    };
}
