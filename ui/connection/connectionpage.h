#pragma once

#include <QPointer>
#include <QWidget>

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

namespace Aq::Ui
{
    // Connection: what this console talks to (backend, project, endpoints, resources, the data folder and the
    // loopback endpoint that `aqueduct publish` reaches), a connection test, and the display settings.
    class ConnectionPage final : public QWidget
    {
        Q_OBJECT

    public:
        explicit ConnectionPage(const ConsoleContext &context, QWidget *parent = nullptr);

        void setClients(PubSub::PubSubClient *pubsub, BigQuery::BigQueryClient *bigquery);
        void testConnection();

    Q_SIGNALS:
        void tested(bool ok);
        void timeZoneChanged(bool utc);

    private:
        ConsoleContext m_context;
        QPointer<PubSub::PubSubClient> m_pubsub;
        QPointer<BigQuery::BigQueryClient> m_bigquery;
        QLabel *m_result;
        QPushButton *m_test;
        QComboBox *m_timeZone;
    };
}
