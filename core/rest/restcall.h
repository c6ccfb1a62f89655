#pragma once

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "core/auth/credentials.h"
#include "core/rest/restclient.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace Aq::Rest
{
    // One call of a RestClient, through all its attempts. Deletes itself when it has finished.
    class RestCall final : public QObject
    {
        Q_OBJECT

    public:
        RestCall(RestClient *client, RestRequest request, QObject *context, RestClient::ReplyCallback callback);

        void start();
        // Stops the call; the callback gets CANCELLED (unless its context is gone).
        void abort();
        int attempts() const { return m_attempts; }

    private:
        void authorizeAndSend();
        void sendAttempt(const Auth::AuthorizationHeaders &headers);
        void onReplyFinished();
        void retryOrFinish(ApiError error);
        void finish(Result<RestReply> result);

        RestClient *m_client;
        RestRequest m_request;
        QPointer<QObject> m_context;
        bool m_hadContext;
        RestClient::ReplyCallback m_callback;
        QDeadlineTimer m_deadline;
        QTimer m_attemptTimer;
        QTimer m_backoffTimer;
        QNetworkAccessManager *m_manager = nullptr;
        QNetworkReply *m_reply = nullptr;
        QElapsedTimer m_attemptClock;
        int m_attempts = 0;
        bool m_timedOut = false;
        bool m_reauthorized = false;
        bool m_finished = false;
    };
}
