#include "ui/connection/connectionpage.h"

#include <memory>

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include "core/bigquery/bigqueryclient.h"
#include "core/config/profile.h"
#include "core/pubsub/pubsubclient.h"
#include "core/remote/operatorclient.h"
#include "ui/connection/profileeditor.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        QLabel *selectable(const QString &text, QWidget *parent)
        {
            auto *label = new QLabel(text, parent);
            label->setTextInteractionFlags(Qt::TextSelectableByMouse);
            label->setWordWrap(true);
            return label;
        }
    }

    ConnectionPage::ConnectionPage(const ConsoleContext &context, QWidget *parent)
        : QWidget(parent)
        , m_context {context}
        , m_result {new QLabel(this)}
        , m_test {new QPushButton(tr("Test connection"), this)}
        , m_timeZone {new QComboBox(this)}
    {
        auto *columns = new QHBoxLayout(this);
        auto *layout = new QVBoxLayout;
        auto *side = new QVBoxLayout;
        columns->addLayout(layout, 1);
        columns->addLayout(side, 1);
        if (context.remote) {
            auto *server = new QGroupBox(tr("Remote server"), this);
            auto *serverForm = new QFormLayout(server);
            serverForm->addRow(tr("Watching"), selectable(context.endpoint.toString(), server));
            serverForm->addRow(tr("Through"), selectable(tr("its operator API: /stats/series, /events, /publish, /dead-letters"), server));
            serverForm->addRow(tr("API key"), selectable(context.backendDescription, server));
            layout->addWidget(server);
        } else {
            const Config::Profile &profile = context.profile;
            auto *backend = new QGroupBox(tr("Backend"), this);
            auto *backendForm = new QFormLayout(backend);
            backendForm->addRow(tr("Profile"), selectable(context.profileName.isEmpty() ? tr("none (the command line, environment and defaults)")
                                                                                        : context.profileName,
                                                          backend));
            backendForm->addRow(tr("Talks to"), selectable(context.backendDescription, backend));
            backendForm->addRow(tr("Project"), selectable(profile.project, backend));
            backendForm->addRow(tr("Pub/Sub"), selectable(Config::backendName(profile.pubsub.backend), backend));
            backendForm->addRow(tr("BigQuery"), selectable(Config::backendName(profile.bigquery.backend), backend));
            if (profile.usesLocal())
                backendForm->addRow(tr("Data folder"), selectable(profile.dataDir, backend));
            backendForm->addRow(tr("This console's endpoint"),
                                selectable(tr("%1 — `aqueduct publish`, `aqueduct query`, gcloud and Google's clients reach the local cloud here")
                                               .arg(context.endpoint.toString()),
                                           backend));

            auto *resources = new QGroupBox(tr("Resources"), this);
            auto *resourceForm = new QFormLayout(resources);
            const Pipeline::IngestSettings &ingest = context.ingest;
            resourceForm->addRow(tr("Topic"), selectable(ingest.topic, resources));
            resourceForm->addRow(tr("Subscription"), selectable(ingest.subscription, resources));
            resourceForm->addRow(tr("Dead-letter topic"), selectable(ingest.deadLetterTopic, resources));
            resourceForm->addRow(tr("Table"), selectable(u"%1.%2"_s.arg(ingest.dataset, ingest.table), resources));
            resourceForm->addRow(tr("Error table"), selectable(u"%1.%2"_s.arg(ingest.dataset, ingest.errorTable), resources));
            resourceForm->addRow(tr("Key column"), selectable(ingest.conversion.keyColumn, resources));
            layout->addWidget(backend);
            layout->addWidget(resources);

            auto *profiles = new ProfileEditor(context, this);
            connect(profiles, &ProfileEditor::profileOpenRequested, this, &ConnectionPage::profileOpenRequested);
            side->addWidget(profiles);
        }

        auto *remote = new QGroupBox(tr("Deployed servers"), this);
        auto *remoteLayout = new QHBoxLayout(remote);
        auto *remoteHint = new QLabel(tr("Watch an `aqueduct serve` (on Cloud Run, or anywhere) by its URL and API key, in a window of its own."), remote);
        remoteHint->setWordWrap(true);
        auto *watch = new QPushButton(tr("Watch a remote server…"), remote);
        watch->setToolTip(tr("Ctrl+Shift+O"));
        connect(watch, &QPushButton::clicked, this, &ConnectionPage::remoteServerWanted);
        remoteLayout->addWidget(remoteHint, 1);
        remoteLayout->addWidget(watch);
        side->addWidget(remote);
        side->addStretch();

        auto *display = new QGroupBox(tr("Display"), this);
        auto *displayForm = new QFormLayout(display);
        m_timeZone->addItem(tr("UTC"), true);
        m_timeZone->addItem(tr("Local time"), false);
        QSettings settings;
        m_timeZone->setCurrentIndex(settings.value(u"Display/UTC"_s, true).toBool() ? 0 : 1);
        displayForm->addRow(tr("Times in"), m_timeZone);
        connect(m_timeZone, &QComboBox::currentIndexChanged, this, [this] {
            const bool utc = m_timeZone->currentData().toBool();
            QSettings().setValue(u"Display/UTC"_s, utc);
            emit timeZoneChanged(utc);
        });

        m_result->setWordWrap(true);
        m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_test->setEnabled(false);
        m_test->setToolTip(tr("Check that the topic and the table answer (Ctrl+T)"));
        m_test->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
        connect(m_test, &QPushButton::clicked, this, &ConnectionPage::testConnection);

        layout->addWidget(display);
        layout->addWidget(m_test, 0, Qt::AlignLeft);
        layout->addWidget(m_result);
        layout->addStretch();
    }

    void ConnectionPage::setClients(PubSub::PubSubClient *pubsub, BigQuery::BigQueryClient *bigquery)
    {
        m_pubsub = pubsub;
        m_bigquery = bigquery;
        m_test->setEnabled(pubsub && bigquery);
    }

    void ConnectionPage::setRemoteClient(Remote::OperatorClient *client)
    {
        m_remote = client;
        m_test->setEnabled(client != nullptr);
    }

    void ConnectionPage::setUtc(bool utc)
    {
        m_timeZone->setCurrentIndex(utc ? 0 : 1);
    }

    void ConnectionPage::showOutcome(const QStringList &problems, const QString &success)
    {
        m_test->setEnabled(true);
        const bool ok = problems.isEmpty();
        m_result->setText(ok ? u"<span style='color:#3c9a5f'>%1</span>"_s.arg(success.toHtmlEscaped())
                             : u"<span style='color:#d9534f'>%1</span>"_s.arg(problems.join(u"\n"_s).toHtmlEscaped().replace(u"\n"_s, u"<br>"_s)));
        emit tested(ok);
    }

    void ConnectionPage::testRemote()
    {
        struct Outcome
        {
            int pending = 2;
            QStringList problems;
            QString readiness;
        };
        auto outcome = std::make_shared<Outcome>();
        const auto finish = [this, outcome] {
            if (--outcome->pending == 0)
                showOutcome(outcome->problems, tr("Connected: the server answers (%1), and its events can be read.").arg(outcome->readiness));
        };
        m_remote->stats(this, [outcome, finish](Result<QJsonObject> stats) {
            if (!stats)
                outcome->problems.append(QObject::tr("GET /stats: %1").arg(stats.error().message));
            else
                outcome->readiness = stats->value(u"readiness"_s).toObject().value(u"ready"_s).toBool() ? QObject::tr("ready") : QObject::tr("not ready");
            finish();
        });
        m_remote->events({}, 1, {}, this, [outcome, finish](Result<Remote::RemotePage> page) {
            if (!page)
                outcome->problems.append(QObject::tr("GET /events: %1").arg(page.error().message));
            finish();
        });
    }

    void ConnectionPage::testConnection()
    {
        if (!m_remote && (!m_pubsub || !m_bigquery))
            return;
        m_test->setEnabled(false);
        m_result->setText(tr("Testing…"));
        if (m_remote)
            return testRemote();
        struct Outcome
        {
            int pending = 2;
            QStringList problems;
        };
        auto outcome = std::make_shared<Outcome>();
        const auto finish = [this, outcome] {
            if (--outcome->pending == 0)
                showOutcome(outcome->problems, tr("Connected: the topic and the table answer."));
        };
        m_pubsub->getTopic(m_context.ingest.topic, this, [outcome, finish](auto topic) {
            if (!topic)
                outcome->problems.append(QObject::tr("Pub/Sub: %1").arg(topic.error().message));
            finish();
        });
        m_bigquery->getTable(m_context.ingest.dataset, m_context.ingest.table, this, [outcome, finish](auto table) {
            if (!table)
                outcome->problems.append(QObject::tr("BigQuery: %1").arg(table.error().message));
            finish();
        });
    }
}
