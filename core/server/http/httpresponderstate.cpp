#include "core/server/http/httpresponderstate.h"

#include <utility>

#include <QThread>

#include "core/server/http/httpconnection.h"

namespace Aq::Server
{
    HttpResponderState::HttpResponderState(HttpConnection *connection, qint64 lowWaterMark)
        : m_connection {connection}
        , m_lowWaterMark {lowWaterMark}
    {
    }

    void HttpResponderState::run(Action action)
    {
        HttpConnection *connection = nullptr;
        {
            QMutexLocker locker(&m_mutex);
            if (!m_connection)
                return;
            if (m_connection->thread() != QThread::currentThread()) {
                // Posted while the mutex is held: the connection cannot finish destroying itself in between (it
                // takes the mutex to detach), and Qt drops events posted to an object that is then deleted.
                HttpConnection *target = m_connection;
                QMetaObject::invokeMethod(
                    target,
                    [self = shared_from_this(), target, action = std::move(action)] {
                        if (target->currentResponder() == self.get())
                            action(target);
                    },
                    Qt::QueuedConnection);
                return;
            }
            connection = m_connection;
        }
        // On the connection's thread nobody else can delete it; call without the lock, which action may need.
        if (connection->currentResponder() == this)
            action(connection);
    }

    bool HttpResponderState::claimResponse()
    {
        return !m_responded.exchange(true);
    }

    bool HttpResponderState::claimFinish()
    {
        return !m_finished.exchange(true);
    }

    bool HttpResponderState::isResponded() const
    {
        return m_responded.load();
    }

    bool HttpResponderState::isFinished() const
    {
        return m_finished.load();
    }

    bool HttpResponderState::isClientGone() const
    {
        return m_clientGone.load();
    }

    void HttpResponderState::setDisconnectCallback(std::function<void()> callback)
    {
        // A replaced callback is destroyed after the lock is released: it may hold the last copy of a responder,
        // whose destructor takes the lock again.
        std::function<void()> previous;
        {
            QMutexLocker locker(&m_mutex);
            if (m_connection) {
                previous = std::exchange(m_disconnectCallback, std::move(callback));
                return;
            }
        }
        // Already detached: the client went away before this call (tell at once, on this thread), or the
        // response is complete (nothing will ever be cancelled).
        if (m_clientGone.load() && callback)
            callback();
    }

    void HttpResponderState::setWritableCallback(std::function<void()> callback)
    {
        std::function<void()> previous;   // destroyed unlocked, as in setDisconnectCallback()
        QMutexLocker locker(&m_mutex);
        if (m_connection)
            previous = std::exchange(m_writableCallback, std::move(callback));
        else
            previous = std::move(callback);
        locker.unlock();
    }

    void HttpResponderState::addQueuedBytes(qint64 bytes)
    {
        m_queuedBytes.fetch_add(bytes);
    }

    void HttpResponderState::setSocketBytes(qint64 bytes)
    {
        m_socketBytes.store(bytes);
    }

    qint64 HttpResponderState::pendingBytes() const
    {
        return m_queuedBytes.load() + m_socketBytes.load();
    }

    qint64 HttpResponderState::lowWaterMark() const
    {
        return m_lowWaterMark;
    }

    HttpConnection *HttpResponderState::connection() const
    {
        QMutexLocker locker(&m_mutex);
        return m_connection;
    }

    void HttpResponderState::detach(Detach reason)
    {
        std::function<void()> disconnectCallback;
        std::function<void()> writableCallback;
        {
            QMutexLocker locker(&m_mutex);
            m_connection = nullptr;
            if (reason == Detach::ClientGone)
                m_clientGone.store(true);
            disconnectCallback.swap(m_disconnectCallback);
            writableCallback.swap(m_writableCallback);
        }
        // Outside the lock: a callback may call back into the responder.
        if ((reason == Detach::ClientGone) && disconnectCallback)
            disconnectCallback();
    }

    void HttpResponderState::notifyWritable()
    {
        if (m_inWritableCallback)
            return;   // the callback wrote, and the write reported progress: let it return first
        std::function<void()> callback;
        {
            QMutexLocker locker(&m_mutex);
            callback = m_writableCallback;
        }
        if (!callback)
            return;
        m_inWritableCallback = true;
        callback();
        m_inWritableCallback = false;
    }
}
