#pragma once

#include <chrono>

#include <QByteArray>
#include <QUrl>

namespace Aq::Rest
{
    // Whether a call may be sent again after a failure whose outcome is unknown (a 503, a reset connection).
    // Reads, acknowledgements, lease changes, publishes (Pub/Sub is at-least-once) and insertAll with insertIds
    // are safe; creating a resource is not (a repeat would answer ALREADY_EXISTS for our own success).
    enum class Idempotency
    {
        Safe,
        Unsafe,
    };

    // Long polls (pulls that wait for messages) go over connections of their own, so that they never hold
    // the 6 HTTP/1.1 connections per host that Qt 6.4 allows while acks, lease extensions and inserts wait.
    enum class Channel
    {
        Default,
        LongPoll,
    };

    struct RestRequest
    {
        QByteArray method = QByteArrayLiteral("GET");
        QUrl url;
        QByteArray body;                // JSON; empty for GET and DELETE
        Idempotency idempotency = Idempotency::Safe;
        Channel channel = Channel::Default;
        // The whole budget of the call, retries included; each attempt gets what is left.
        std::chrono::milliseconds deadline {60000};
    };
}
