#include "ui/connection/remoteserverdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/remote/operatorclient.h"
#include "ui/connection/apikeystore.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    RemoteServerDialog::RemoteServerDialog(QWidget *parent)
        : QDialog(parent)
        , m_url {new QComboBox(this)}
        , m_key {new QLineEdit(this)}
        , m_remember {new QCheckBox(tr("Remember the key in the system keychain"), this)}
        , m_message {new QLabel(this)}
        , m_buttons {new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)}
    {
        setWindowTitle(tr("Watch a remote server"));
        m_url->setEditable(true);
        m_url->addItems(ApiKeyStore::recentServers());
        m_url->setCurrentText(QString());
        m_url->lineEdit()->setPlaceholderText(tr("https://aqueduct-abc123-uc.a.run.app"));
        m_url->setMinimumWidth(420);
        m_key->setEchoMode(QLineEdit::Password);
        m_key->setPlaceholderText(tr("the server's read or admin key (none if it has no keys)"));
        m_remember->setChecked(true);
        m_message->setWordWrap(true);
        m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Watch"));

        auto *form = new QFormLayout;
        form->addRow(tr("Server URL"), m_url);
        form->addRow(tr("API key"), m_key);
        form->addRow(QString(), m_remember);
        auto *layout = new QVBoxLayout(this);
        layout->addLayout(form);
        layout->addWidget(m_message);
        layout->addWidget(m_buttons);

        connect(m_buttons, &QDialogButtonBox::accepted, this, &RemoteServerDialog::accept);
        connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
        connect(m_url, &QComboBox::currentTextChanged, this, &RemoteServerDialog::lookUpKey);
        connect(m_key, &QLineEdit::textEdited, this, [this] { ++m_lookUp; });   // a typed key wins over the keychain's
    }

    void RemoteServerDialog::setServer(const QString &url)
    {
        m_url->setCurrentText(url);
    }

    void RemoteServerDialog::setApiKey(const QByteArray &key)
    {
        ++m_lookUp;
        m_key->setText(QString::fromUtf8(key));
    }

    void RemoteServerDialog::lookUpKey()
    {
        const Result<QUrl> url = Remote::OperatorClient::normalizeBaseUrl(m_url->currentText());
        if (!url || !ApiKeyStore::recentServers().contains(url->toString()))
            return;
        const quint64 lookUp = ++m_lookUp;
        ApiKeyStore::read(*url, this, [this, lookUp](Result<QByteArray> key) {
            if (lookUp != m_lookUp)
                return;
            if (key && !key->isEmpty()) {
                m_key->setText(QString::fromUtf8(*key));
                m_message->setText(tr("The key comes from the system keychain."));
            }
        });
    }

    void RemoteServerDialog::accept()
    {
        const Result<QUrl> url = Remote::OperatorClient::normalizeBaseUrl(m_url->currentText());
        if (!url) {
            m_message->setText(u"<span style='color:#d9534f'>%1</span>"_s.arg(url.error().message.toHtmlEscaped()));
            m_url->setFocus();
            return;
        }
        const QByteArray key = m_key->text().trimmed().toUtf8();
        ApiKeyStore::addRecentServer(*url);
        if (m_remember->isChecked() && !key.isEmpty()) {
            // The window opens whether or not the keychain takes the key; a refusal is only logged.
            ApiKeyStore::write(*url, key, QCoreApplication::instance(), [server = url->toString()](Status stored) {
                if (!stored)
                    qWarning("aqueduct: the API key of %s was not remembered: %s", qPrintable(server), qPrintable(stored.error().message));
            });
        } else if (!m_remember->isChecked()) {
            ApiKeyStore::forget(*url, QCoreApplication::instance(), [](Status) {});
        }
        emit serverChosen(*url, key);
        QDialog::accept();
    }
}
