#pragma once

#include <QDialog>
#include <QUrl>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace Aq::Ui
{
    // Asks for a remote `aqueduct serve` to watch: its URL (servers watched before are offered, with their keys
    // read from the system keychain) and its API key, and whether to remember the key in the keychain. The URL is
    // checked before the dialog closes; serverChosen() follows.
    class RemoteServerDialog final : public QDialog
    {
        Q_OBJECT

    public:
        explicit RemoteServerDialog(QWidget *parent = nullptr);

        void setServer(const QString &url);
        void setApiKey(const QByteArray &key);

        void accept() override;

    Q_SIGNALS:
        void serverChosen(const QUrl &url, const QByteArray &apiKey);

    private:
        void lookUpKey();

        QComboBox *m_url;
        QLineEdit *m_key;
        QCheckBox *m_remember;
        QLabel *m_message;
        QDialogButtonBox *m_buttons;
        quint64 m_lookUp = 0;
    };
}
