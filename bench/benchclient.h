#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>
#include <QUrl>

// A small REST load client for the benchmarks: keep-alive connections through QNetworkAccessManager,
// a fixed number of requests in flight, the same client for every server measured in a run.
class BenchClient
{
public:
    explicit BenchClient(QUrl base, QNetworkAccessManager *nam = nullptr)
        : m_base {std::move(base)}
        , m_nam {nam ? nam : &m_ownNam}
    {
    }

    struct Reply
    {
        int status = 0;
        QByteArray body;
        QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    };

    QNetworkReply *send(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        QUrl url = m_base;
        const qsizetype q = path.indexOf(u'?');
        url.setPath(q < 0 ? path : path.left(q));
        if (q >= 0)
            url.setQuery(path.mid(q + 1));
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        request.setTransferTimeout(120000);
        QNetworkAccessManager *nam = m_nam;
        if (!m_extraNams.empty()) {
            // round robin over the managers: each opens at most 6 connections to a host
            const size_t pick = m_nextNam++ % (m_extraNams.size() + 1);
            nam = pick == 0 ? m_nam : m_extraNams[pick - 1].get();
        }
        return nam->sendCustomRequest(request, method, body);
    }

    // QNetworkAccessManager opens at most 6 connections to one host and queues further requests: with more
    // requests in flight than that, the client would wait on itself. This spreads them over enough managers
    // (each with its own keep-alive connections) that `inFlight` requests really are in flight at once.
    void allowInFlight(int inFlight)
    {
        m_extraNams.clear();
        for (int n = 6; n < inFlight; n += 6)
            m_extraNams.push_back(std::make_unique<QNetworkAccessManager>());
    }

    Reply call(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        QNetworkReply *reply = send(method, path, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        Reply out {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
        reply->deleteLater();
        return out;
    }

    // Runs `next` (which returns false when there is nothing more to send) with `inFlight` requests at
    // once until all have finished; returns the elapsed seconds.
    double drive(int inFlight, const std::function<QNetworkReply *()> &next, const std::function<void(QNetworkReply *)> &finished)
    {
        QEventLoop loop;
        int running = 0;
        bool exhausted = false;
        std::function<void()> launch;
        launch = [&] {
            while (!exhausted && running < inFlight) {
                QNetworkReply *reply = next();
                if (!reply) {
                    exhausted = true;
                    break;
                }
                ++running;
                QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply] {
                    finished(reply);
                    reply->deleteLater();
                    --running;
                    launch();
                    if (exhausted && running == 0)
                        loop.quit();
                });
            }
        };
        QElapsedTimer timer;
        timer.start();
        launch();
        if (running > 0)
            loop.exec();
        return double(timer.nsecsElapsed()) / 1e9;
    }

private:
    QUrl m_base;
    QNetworkAccessManager m_ownNam;
    QNetworkAccessManager *m_nam = nullptr;
    std::vector<std::unique_ptr<QNetworkAccessManager>> m_extraNams;
    size_t m_nextNam = 0;
};
