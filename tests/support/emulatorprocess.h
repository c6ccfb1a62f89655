#pragma once

#include <csignal>
#include <unistd.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

// Starts Google's Pub/Sub emulator (gcloud beta emulators pubsub start) on a free loopback port, in a process
// group of its own so that stop() also ends the Java server gcloud starts.
class EmulatorProcess
{
public:
    ~EmulatorProcess() { stop(); }

    // Empty when the emulator can run here; else what is missing.
    static QString missingRequirement()
    {
        const QString gcloud = QStandardPaths::findExecutable(QStringLiteral("gcloud"));
        if (gcloud.isEmpty())
            return QStringLiteral("the gcloud CLI is not installed");
        if (QStandardPaths::findExecutable(QStringLiteral("java")).isEmpty())
            return QStringLiteral("java is not installed (Google's Pub/Sub emulator needs it)");
        const QString sdk = QFileInfo(QFileInfo(gcloud).canonicalFilePath()).dir().absoluteFilePath(QStringLiteral(".."));
        if (!QDir(sdk + QStringLiteral("/platform/pubsub-emulator")).exists()
            && !QDir(QStringLiteral("/usr/lib/google-cloud-sdk/platform/pubsub-emulator")).exists())
            return QStringLiteral("Google's Pub/Sub emulator is not installed (Debian: google-cloud-cli-pubsub-emulator)");
        return {};
    }

    bool start(const QString &project)
    {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0))
            return false;
        m_port = probe.serverPort();
        probe.close();
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("CLOUDSDK_CONFIG"), m_dir.filePath(QStringLiteral("gcloud-config")));
        environment.insert(QStringLiteral("CLOUDSDK_CORE_DISABLE_PROMPTS"), QStringLiteral("1"));
        environment.remove(QStringLiteral("PUBSUB_EMULATOR_HOST"));
        m_process.setProcessEnvironment(environment);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.setChildProcessModifier([] { ::setsid(); });
        QDir(m_dir.path()).mkdir(QStringLiteral("data"));
        m_process.start(QStandardPaths::findExecutable(QStringLiteral("gcloud")),
                        {QStringLiteral("beta"), QStringLiteral("emulators"), QStringLiteral("pubsub"), QStringLiteral("start"),
                         QStringLiteral("--host-port=127.0.0.1:%1").arg(m_port), QStringLiteral("--project=") + project,
                         QStringLiteral("--data-dir=") + m_dir.filePath(QStringLiteral("data"))});
        if (!m_process.waitForStarted(10000))
            return false;
        QNetworkAccessManager network;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 90000) {
            m_output += m_process.readAll();
            if (m_process.state() == QProcess::NotRunning)
                break;
            QNetworkReply *reply = network.get(QNetworkRequest(QUrl(endpoint().toString() + QStringLiteral("/v1/projects/%1/topics").arg(project))));
            (void)QTest::qWaitFor([reply] { return reply->isFinished(); }, 5000);   // judged by the status below
            const bool up = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
            delete reply;
            if (up)
                return true;
            QTest::qWait(250);
        }
        qWarning("Google's Pub/Sub emulator did not start: %s", m_output.right(4000).constData());
        stop();
        return false;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        const qint64 pid = m_process.processId();
        ::kill(-pid_t(pid), SIGTERM);
        if (!m_process.waitForFinished(10000)) {
            ::kill(-pid_t(pid), SIGKILL);
            m_process.waitForFinished(5000);
        }
    }

    QUrl endpoint() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port)); }
    QString hostPort() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    QByteArray m_output;
};
