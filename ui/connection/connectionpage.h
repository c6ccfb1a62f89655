#pragma once

#include <QPointer>
#include <QWidget>

#include "core/config/savedprofile.h"
#include "ui/consolecontext.h"

class QComboBox;
class QLabel;
class QPushButton;

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::PubSub
{
    class PubSubClient;
}

namespace Aq::Remote
{
    class OperatorClient;
}

namespace Aq::Ui
{
    // Connection: what this console talks to (backend, project, endpoints, resources, the data folder and the
    // loopback endpoint that `aqueduct publish` reaches; or the remote server it watches), a connection test, the
    // saved profiles (ProfileEditor), a way to watch a remote `aqueduct serve` in another window, and the display
    // settings.
    class ConnectionPage final : public QWidget
    {
        Q_OBJECT

    public:
        explicit ConnectionPage(const ConsoleContext &context, QWidget *parent = nullptr);

        void setClients(PubSub::PubSubClient *pubsub, BigQuery::BigQueryClient *bigquery);
        // A window on a remote server tests its GET /stats and GET /events instead.
        void setRemoteClient(Remote::OperatorClient *client);
        void testConnection();
        void setUtc(bool utc);

    Q_SIGNALS:
        void tested(bool ok);
        void timeZoneChanged(bool utc);
        void remoteServerWanted();
        void profileOpenRequested(const Config::SavedProfile &profile);

    private:
        void testRemote();
        void showOutcome(const QStringList &problems, const QString &success);

        ConsoleContext m_context;
        QPointer<Remote::OperatorClient> m_remote;
        QPointer<PubSub::PubSubClient> m_pubsub;
        QPointer<BigQuery::BigQueryClient> m_bigquery;
        QLabel *m_result;
        QPushButton *m_test;
        QComboBox *m_timeZone;
    };
}
