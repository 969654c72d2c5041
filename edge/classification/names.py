"""Column-name evidence: which infotypes (TAXONOMY.md) a column's name, read with its table's name,
speaks for, and which negative cue (`product_name`, `hire_date`, `*_id`) speaks against them.

Data, not code: `VOCABULARY` holds the words of every infotype by strength, `NEGATIVE_CUES` the
patterns that say a column holds no personal value, and the word groups the context words that
raise an ambiguous term or overturn it. The matcher is generic and works on normalised tokens:
names are split at case, digits and punctuation, accents are folded, glued compounds
(`firstname`, `telefonnummer`, `fechanacimiento`) are split into known words, plurals are
singularised, the spellings of "number", "address" and "name" in several languages are read as
one word, and articles ("of", "de", "di") are ignored, so `date_of_birth`, `fecha_de_nacimiento`
and `DOB` all reach the same table entries.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from domain.taxonomy import INFOTYPES

# Strength of a term by tier, before context. A term among other words (`customer_email`) keeps
# EMBEDDED of it; a term before another infotype's term (`billing_address_zip`: the zip is what
# the column holds) keeps MODIFIER of it; a term a negative cue overrides keeps NEGATED of it.
STRONG, LIKELY, WEAK = 0.95, 0.8, 0.5
EMBEDDED = 0.85
MODIFIER = 0.8
# A person's role alone (`owner`): less than a weak term, so that values of a name's form must
# be names some country uses to complete it ("City Owned" is no one's name).
ROLE = 0.4
NEGATED = 0.3
# An ambiguous term next to a word of its context: in the column itself, or in the table's name.
IN_COLUMN_CONTEXT, IN_TABLE_CONTEXT = 0.8, 0.7


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- word groups: context that raises an ambiguous term, or overturns it ------------------------

PERSON_WORDS = _words("""
    customer cust client user member employee emp staff person people individual patient contact
    owner holder cardholder policyholder student pupil teacher guest passenger traveler traveller
    driver applicant candidate subscriber beneficiary recipient sender buyer tenant resident
    citizen voter donor volunteer father mother parent spouse child guardian kin doctor physician
    nurse manager supervisor signatory representative insured lead prospect respondent participant
    attendee visitor worker suspect victim witness defendant plaintiff offender inmate decedent
    deceased heir husband wife landlord borrower debtor registrant licensee permittee claimant
    kunde kunden mitarbeiter mitarbeiterin angestellter nutzer benutzer personen patientin schuler
    klient inhaber mieter bewerber teilnehmer ansprechpartner fahrer eigentumer besitzer burger
    utilisateur salarie employe personne eleve etudiant titulaire locataire candidat adherent abonne
    beneficiaire proprietaire citoyen
    cliente usuario empleado persona paciente alumno estudiante contacto inquilino solicitante
    afiliado propietario titular victima testigo ciudadano cidadao cittadino
    utente dipendente paziente studente contatto utilizador funcionario colaborador pessoa
    aluno contato klant gebruiker medewerker werknemer persoon leerling contactpersoon huurder
""")
# Of the person words, those that name a post someone holds for a place: a weak place word
# right before one says where they serve (`district_manager`), not where they are.
POST_WORDS = _words("manager supervisor representative lead")
# A name someone goes by: alone or after a person's word, weak evidence of a name, as a role is
# (`alias`, `suspect_aka`; `city_alias` holds a city, `user_alias` a login).
ALIAS_WORDS = _words("alias aliases aka moniker")
# People named by an office or a task (`county_clerk`, `reviewer`): their name is theirs, but a
# place or a state beside them is the office's (`state_treasurer`, `reviewer_state`), so they
# qualify a name only.
ROLE_WORDS = _words("""
    inspector officer investigator clerk judge attorney lawyer author reporter assignee reviewer
    approver requester requestor submitter signer notary president chairperson chairman
    chairwoman secretary treasurer commissioner councillor councilmember alderman mayor rector
    dean professor instructor lecturer tutor mentor advisor adviser counselor counsellor
    caseworker technician therapist surgeon dentist pharmacist coroner sheriff assessor governor
    senator
    leiter sachbearbeiter arzt lehrer richter anwalt gerant medecin enseignant juge avocat
    responsable encargado medico profesor docente gerente jefe secretario tesorero alcalde juez
    abogado representante
""")
ENTITY_WORDS = _words("""
    product prod item sku article company business firm corporation corp organisation organization
    org enterprise vendor supplier manufacturer merchant retailer brand store shop branch bank
    insurer carrier airline hotel restaurant venue school university college hospital clinic
    pharmacy artist band album track song playlist genre movie film show series episode book
    publisher channel podcast game team league department dept division group role category tag
    class course program programme project campaign event plan tier package bundle feature module
    app application service platform file folder directory dir path document attachment image photo
    host server machine device node cluster instance database db schema table column field index
    bucket queue topic job task workflow pipeline report dashboard metric account warehouse model
    template site website page facility establishment outlet trade park playground proj
    produkt artikel firma firmen unternehmen marke laden geschaft filiale abteilung kategorie datei
    ordner projekt veranstaltung lieferant hersteller
    produit entreprise societe marque magasin boutique agence banque fichier categorie projet
    evenement fournisseur fabricant
    producto articulo empresa compania sociedad marca tienda sucursal banco archivo fichero
    categoria proyecto evento proveedor fabricante establecimiento parque
    prodotto articolo azienda societa ditta marchio negozio banca progetto fornitore
    produto artigo companhia loja arquivo ficheiro projeto fornecedor
    bedrijf bedrijfs onderneming merk winkel filiaal bestand categorie leverancier
""")
PLACE_WORDS = _words("""
    city town village county country state region province district street road airport port
    station stadt ort land strasse ville pays rue ciudad pais calle provincia municipio citta paese
    comune cidade rua stad straat gemeente gemeinde
""")
ADDRESS_ROLE_WORDS = _words("""
    home work office billing bill shipping ship delivery invoice mailing postal residence
    residential permanent current primary secondary business registered legal correspondence
    domicile domicilio residencia residenza private privat rechnung liefer livraison facturation
    envio facturacion spedizione fatturazione entrega cobranca factuur
""")
NON_PLACE_WORDS = _words("""
    order job task workflow process machine session connection payment transaction ticket case
    request status app system device record document item product account subscription invoice
    shipment delivery step stage phase game button form switch toggle warehouse bin shelf storage
    stock inventory file server pedido orden factura pago envio proceso tarea registro commande
    auftrag bestellung ordine
""")
CARD_WORDS = _words("""
    card cc credit debit payment billing pci kreditkarte karte carte tarjeta carta cartao kaart
""")
BANK_WORDS = _words("""
    bank banking iban bic swift routing sort payee payout sepa ach wire beneficiary bancaire
    bancaria bancario banco banca konto rekening conta cuenta compte conto
""")
HEALTH_WORDS = _words("""
    patient medical health clinical clinic hospital diagnosis insurance insured insurer claim payer
    policyholder encounter admission ehr emr care doctor physician krankenkasse versicherung
    versicherte assurance mutuelle seguro aseguradora assicurazione sanitaria saude zorg paciente
    paziente
""")
VEHICLE_WORDS = _words("""
    vehicle car auto truck van motorcycle fleet fahrzeug kfz pkw voiture vehicule vehiculo coche
    carro veicolo voertuig
""")
NETWORK_WORDS = _words("""
    network device client remote source src destination dst dest host server router gateway
    interface nic wifi wlan ethernet net lan wan proxy peer node endpoint sensor modem
""")
CREDENTIAL_WORDS = _words("account login user auth credential security api oauth app service")


# What a street address is made of besides its street line.
ADDRESS_PARTS = ("POSTAL_CODE", "LOCATION")


# --- the vocabulary: one entry per infotype ------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The words that name one infotype, by how much they say on their own. Each tier is a
    comma-separated list of lower-case ASCII phrases; ambiguous (`likely`, `weak`) terms are
    raised by a `context` word nearby and overturned into a negative cue by an `against` word."""

    strong: str = ""  # unambiguous alone: "ssn", "date of birth"
    likely: str = ""  # usually this infotype: "city", "mobile"
    weak: str = ""  # ambiguous alone: "name", "address", "state"
    context: frozenset[str] = frozenset()
    against: frozenset[str] = frozenset()


VOCABULARY: dict[str, Vocabulary] = {
    "PERSON_NAME": Vocabulary(
        strong="""first name, last name, given name, family name, surname, forename, middle name,
            maiden name, full name, fname, lname, mname, birth name, christian name, name surname,
            name first, name last, name middle, name full, name given, name family,
            cardholder name, card holder name, account holder name, holder name,
            vorname, nachname, familienname, zuname, rufname, geburtsname, madchenname,
            vollstandiger name, prenom, nom de famille, nom de naissance, nom de jeune fille,
            nom complet, apellido, primer apellido, segundo apellido, apellido paterno,
            apellido materno, nombre completo, nombre de pila, cognome, nome completo, sobrenome,
            primeiro nome, ultimo nome, nome proprio, voornaam, achternaam, tussenvoegsel,
            volledige naam, roepnaam, geslachtsnaam, meisjesnaam, fornavn, efternavn, etternavn,
            fornamn, efternamn, etunimi, sukunimi, imie, nazwisko, фамилия, отчество, фио,
            氏名, 姓名, 名字""",
        likely="""display name, middle initial, person name, contact person, cardholder,
            card holder, account holder, apelido, nom usage""",
        weak="name, initials, first, last, given",  # "First" and "Last" beside each other
        context=PERSON_WORDS | ROLE_WORDS,
        against=ENTITY_WORDS | PLACE_WORDS,
    ),
    "EMAIL_ADDRESS": Vocabulary(
        strong="""email, e mail, email address, e mail address, mail address, email alias,
            e mail alias, mail alias, courriel,
            adresse electronique, adresse email, adresse mail, correo, correo electronico,
            posta elettronica, endereco eletronico, e post, epost, sahkoposti, электронная почта,
            メールアドレス, 邮箱, 电子邮件, 电子邮箱""",
        likely="mail, pec, почта, メール",
        weak="mel",
        context=PERSON_WORDS,
    ),
    "PHONE_NUMBER": Vocabulary(
        strong="""phone, telephone, tel, phone number, fax, telefax, msisdn, mobile number,
            mobile phone, cell phone, cellphone, cell number, home phone, work phone, office phone,
            business phone, landline, contact number, primary phone, telefon, handy,
            mobiltelefon, rufnummer, festnetz, tel portable, telephone portable, numero portable,
            telefono, celular, cellulare, telefone, telemovel, telefoon, puhelin, телефон, 電話,
            電話番号, 电话, 电话号码, 手机, 手机号, 携帯電話""",
        likely="mobile, mob, gsm, whatsapp, mobil, mobiel, portable, movil, мобильный, 携帯",
        weak="area code, ph, cell",
        context=PERSON_WORDS,
        against=_words("app web site version os platform view friendly optimized optimised"),
    ),
    "STREET_ADDRESS": Vocabulary(
        strong="""street address, address line, address #, street, street name, street number,
            house number, po box, pobox, post office box, home address, billing address,
            bill address, shipping address, ship address, delivery address, mailing address,
            postal address, post address, residential address, physical address, permanent address,
            current address, correspondence address, business address, office address,
            work address, invoice address, strasse, strassenname, hausnummer, rechnungsadresse,
            lieferadresse, hausanschrift, privatadresse, postanschrift, wohnadresse, postfach,
            rue, adresse postale, numero de rue, adresse de facturation, adresse de livraison,
            boite postale, calle, direccion postal, numero de calle, direccion de envio,
            direccion de facturacion, apartado postal, numero civico, indirizzo di spedizione,
            indirizzo di fatturazione, logradouro, endereco de entrega, endereco de cobranca,
            straat, straatnaam, huisnummer, adresregel, woonadres""",
        likely="""add #, street line, anschrift, domicilio, morada, civico, rua,
            apartment, apt, 住所""",
        weak="address, line #, via, complemento, suite, 地址",
        context=PERSON_WORDS | ADDRESS_ROLE_WORDS,
        against=NETWORK_WORDS
        | _words("""ip ipv mac email mail web url wallet memory contract bitcoin btc eth crypto
            blockchain hardware"""),
    ),
    "POSTAL_CODE": Vocabulary(
        strong="""zip, zip code, zipcode, postal code, postcode, post code, postleitzahl, plz,
            code postal, codigo postal, codice postale, cep, postnummer, post number, eircode,
            zip plus #, почтовый индекс, 郵便番号, 邮编, 邮政编码""",
        likely="postal, pincode, pin code, postale",
        weak="cp, cap",
        context=PERSON_WORDS | ADDRESS_ROLE_WORDS,
    ),
    "LOCATION": Vocabulary(
        strong="""city name, country name, state name, province name, place of birth,
            birth place, birthplace, country of birth, birth country, city of birth, birth city,
            country of residence, city of residence, residence country, hometown, wohnort,
            geburtsort, lieu de naissance, lugar de nacimiento, pais de nacimiento,
            luogo di nascita, local de nascimento, naturalidade, woonplaats, geboorteplaats""",
        likely="""city, town, country, county, province, municipality, locality, suburb,
            country code, state code, iso country, country iso, region name, stadt, ort,
            bundesland, gemeinde, landkreis, kanton, ville, pays, commune, localite, ciudad, pais,
            provincia, municipio, localidad, citta, paese, comune, localita, cidade, localidade,
            bairro, concelho, stad, plaats, provincie, gemeente, город, страна, 城市, 国家,
            都道府県, 市区町村, departamento domicilio, departamento residencia,
            departamento nacimiento""",
        weak="""state, region, location, district, land, estado, regione, departement, lieu,
            lugar, poblacion, distrito""",
        context=PERSON_WORDS | ADDRESS_ROLE_WORDS,
        against=NON_PLACE_WORDS,
    ),
    "DATE_OF_BIRTH": Vocabulary(
        strong="""dob, date of birth, birth date, birthdate, birthday, geburtsdatum, geburtstag,
            geb datum, gebdatum, date de naissance, fecha de nacimiento, fecha nac,
            data di nascita, data de nascimento, dt nascimento, geboortedatum, fodelsedatum,
            syntymaaika, data urodzenia, дата рождения, 生年月日, 出生日期, 誕生日, 生日""",
        likely="""birth, born, born on, birth dt, dt birth, birth year, year of birth, yob, bday,
            naissance, ddn, nacimiento, fec nac, nascita, nascimento, geboren, geburtsjahr,
            annee de naissance, ano de nacimiento, anno di nascita, ano de nascimento,
            geboortejaar""",
        context=PERSON_WORDS,
    ),
    "AGE": Vocabulary(
        strong="age in years, years old, leeftijd",
        likely="age, alter, edad, idade, ika, alder, wiek, возраст, 年齢, 年龄",
        weak="eta",
        context=PERSON_WORDS,
        against=_words("""vehicle car account file cache asset equipment building house data record
            document password token session key loan debt invoice receivable ticket inventory
            stock item product tree battery tire tyre certificate"""),
    ),
    "GENDER": Vocabulary(
        strong="""gender, sex, gender identity, geschlecht, sexe, sexo, sesso, geslacht, plec,
            sukupuoli, 性別, 性别""",
        likely="genero, pronoun, пол",
        weak="salutation, anrede, civilite, title of courtesy",
        context=PERSON_WORDS,
    ),
    "NATIONALITY": Vocabulary(
        strong="""nationality, citizenship, country of citizenship, citizenship country,
            country of nationality, nationalite, nacionalidad, nazionalita, nacionalidade,
            nationaliteit, staatsangehorigkeit, staatsburgerschaft, nationalitat, citoyennete,
            ciudadania, cittadinanza, cidadania, staatsburgerschap, kansalaisuus, obywatelstwo,
            medborgarskap, гражданство, национальность, 国籍""",
        context=PERSON_WORDS,
    ),
    "US_SSN": Vocabulary(
        strong="ssn, social security, social security number, social sec, soc sec, socsec",
        likely="ss number, ssno",
    ),
    "NATIONAL_ID": Vocabulary(
        strong="""national id, national identity, national identification, national insurance,
            ni number, identity number, identity card, id card, personal id, personal number,
            personal identity number, citizen id, resident id, identity document,
            social insurance number, personalausweis, sozialversicherungsnummer, svnr, ahv,
            identitatskarte, nir, numero de securite sociale, securite sociale,
            carte d identite, cni, dni, cedula, curp, numero de seguridad social,
            seguridad social, nss, documento de identidad, cedula de identidad,
            carta d identita, cpf, cartao de cidadao, bilhete de identidade, bsn,
            burgerservicenummer, sofinummer, sofi, identiteitskaart, id kaart, pesel,
            personnummer, henkilotunnus, hetu, aadhaar, aadhar, nric, hkid, emirates id, tckn,
            tc kimlik, rodne cislo, egn, jmbg, amka, снилс, 身份证, 身份证号, 身份证号码,
            マイナンバー, 個人番号""",
        likely="""id number, identification number, ausweis, insee, numero insee, nie, rg, rut, nin,
            sin, cpr, numero de identificacion""",
        weak="""nino, document number, numero de documento, documento, identificacion,
            identification, doc number""",
        context=PERSON_WORDS,
    ),
    "PASSPORT_NUMBER": Vocabulary(
        strong="""passport, passport number, reisepass, passeport, pasaporte, passaporto,
            passaporte, paspoort, passi, paszport, паспорт, 护照, パスポート, 旅券番号""",
        likely="pass number, travel document",
        context=PERSON_WORDS,
    ),
    "DRIVERS_LICENSE_NUMBER": Vocabulary(
        strong="""driver license, drivers license, driving license, driving licence,
            driver licence, drivers licence, dln, dl number, fuhrerschein, permis de conduire,
            licencia de conducir, licencia de conduccion, carnet de conducir, permiso de conducir,
            patente di guida, carteira de motorista, cnh, carta de conducao, rijbewijs, korkort,
            ajokortti, prawo jazdy""",
        likely="dl",
        weak="license number, licence number, licencia, permis, patente",
        # Whose licence, or which kind: `license_number` in `customers` or `driving_licenses`.
        context=PERSON_WORDS | _words("driving conducir conduccion conduire guida motorist dmv"),
        against=_words("""software product app application key server os seat site business
            trade liquor"""),
    ),
    "TAX_ID": Vocabulary(
        strong="""tax id, tax number, tax identification number, taxpayer id, taxpayer number,
            taxpayer identification, itin, employer identification number, vat number, vat id,
            vat registration, vat reg, steuernummer, steuer id, steueridentifikationsnummer,
            steuer identifikationsnummer, ust id, ustid, ust idnr, ustidnr, umsatzsteuer id,
            numero fiscal, numero fiscale, identifiant fiscal, numero de tva,
            tva intracommunautaire, nif, partita iva, codice fiscale, numero de contribuinte,
            btw nummer, btw id, fiscaal nummer, fiscal number, fiscal code, gstin, gst number,
            инн""",
        likely="tin, ein, fein, cif, rfc, contribuinte, utr, tfn, cuit, cuil",
        weak="vat, tva, iva, btw, ust, abn",
        context=PERSON_WORDS | _words("tax fiscal"),
        against=_words("""invoice order line item product price sale transaction payment receipt
            basket cart"""),
    ),
    "IP_ADDRESS": Vocabulary(
        strong="""ip, ip address, ip addr, ipv, ipv address, address ip, client ip, remote ip,
            remote address, remote addr, source ip, src ip, dest ip, dst ip, destination ip,
            host ip""",
        likely="""inet, x forwarded for, forwarded for, client address, source address,
            destination address, network address, host address, server address, peer address""",
        context=NETWORK_WORDS,
    ),
    "MAC_ADDRESS": Vocabulary(
        strong="""mac address, address mac, hw address, hwaddr, hardware address,
            ethernet address, bssid, wifi mac""",
        likely="mac",
        context=NETWORK_WORDS,
        against=_words("os osx book mini pro app store"),
    ),
    "GEO_COORDINATES": Vocabulary(
        strong="""latitude, longitude, lat lng, lat lon, lat long, geolocation, geo location,
            gps coordinates, coordinates, geo coordinates, geo point, geopoint, breitengrad,
            langengrad, koordinaten, coordonnees, latitud, coordenadas, latitudine, longitudine,
            breedtegraad, lengtegraad, coordinaten""",
        likely="lat, lon, lng, gps, geo, coords, longitud",
        weak="long, geom, geometry, geog, geography, point",
        context=PERSON_WORDS | NETWORK_WORDS | _words("gps geo position location coordinate"),
    ),
    "VEHICLE_IDENTIFICATION_NUMBER": Vocabulary(
        strong="""vin, vehicle identification number, vehicle identification, vehicle id number,
            chassis number, fahrgestellnummer, fahrzeugidentnummer, numero de chassis, bastidor,
            numero de bastidor, telaio, numero di telaio, chassi, numero do chassi,
            chassisnummer""",
        likely="chassis",
        weak="fin",
        context=VEHICLE_WORDS,
    ),
    "LICENSE_PLATE": Vocabulary(
        strong="""license plate, licence plate, number plate, plate number, registration plate,
            vehicle registration, car registration, vehicle plate, kfz kennzeichen,
            amtliches kennzeichen, nummernschild, autokennzeichen, plaque d immatriculation,
            kenteken""",
        likely="plate, immatriculation, placa, targa, rego",
        weak="registration number, reg number, matricula, kennzeichen, tag number",
        context=VEHICLE_WORDS,
        against=_words("""company business trade commercial court land domain event course student
            school"""),
    ),
    "USERNAME": Vocabulary(
        strong="""username, user name, login name, screen name, sam account name, samaccountname,
            login id, benutzername, anmeldename, nom d utilisateur, nombre de usuario,
            nome utente, nome de usuario, gebruikersnaam, kayttajatunnus, имя пользователя,
            用户名, ユーザー名""",
        likely="""login, handle, nickname, nick, uname, user login, user handle, user alias,
            login alias, pseudo, identifiant, логин""",
        weak="usr",
        context=PERSON_WORDS,
        against=_words("""file window process thread socket system service machine server db
            database event lock object resource"""),
    ),
    "PASSWORD": Vocabulary(
        strong="""password, passwd, pwd, passcode, passphrase, password hash, pwd hash,
            passwd hash, pw hash, hashed password, password digest, passwort, kennwort,
            mot de passe, mdp, contrasena, clave de acceso, senha, wachtwoord, salasana, haslo,
            losenord, пароль, 密码, パスワード""",
        likely="pw, pass hash",
        weak="pass, pin, clave",
        context=PERSON_WORDS | CREDENTIAL_WORDS,
    ),
    "API_KEY": Vocabulary(
        strong="""api key, api token, api secret, access token, refresh token, auth token,
            bearer token, id token, session token, oauth token, jwt, client secret, secret key,
            private key, access key, secret access key, access key id, ssh key, signing key,
            encryption key, webhook secret, app secret, consumer secret, consumer key,
            service account key, totp secret, otp secret, mfa secret, private token,
            personal access token, api schlussel, geheimer schlussel, zugangstoken, cle api,
            jeton d acces, cle secrete, clave api, token de acceso, clave secreta, chiave api,
            chiave segreta, chave api, chave secreta, api sleutel, geheime sleutel""",
        likely="token, secret, jeton",
        weak="license key, credential",
        context=CREDENTIAL_WORDS,
    ),
    "CREDIT_CARD_NUMBER": Vocabulary(
        strong="""credit card, credit card number, cc number, ccn, ccnum, card pan,
            primary account number, debit card, payment card, kreditkarte, carte bancaire,
            carte de credit, tarjeta de credito, tarjeta de debito, carta di credito,
            cartao de credito, cartao de debito""",
        likely="""card number, pan, masked pan, kartennummer, numero de carte, numero de tarjeta,
            numero di carta, numero do cartao, kaartnummer""",
        weak="cc",
        context=CARD_WORDS,
        against=_words("""gift loyalty library membership member sim access key business report
            score index playing greeting sd memory graphics video network wifi"""),
    ),
    "CARD_VERIFICATION_CODE": Vocabulary(
        strong="""cvv, cvc, csc, cvn, card verification, card verification code,
            card verification value, card security code, kartenprufnummer, cryptogramme,
            cryptogramme visuel, codigo de seguridad, codice di sicurezza""",
        likely="security code, card code, verification value",
        weak="cid, verification code, prufnummer",
        context=CARD_WORDS,
    ),
    "CARD_EXPIRY_DATE": Vocabulary(
        strong="""card expiry, card expiration, card exp, cc exp, cc expiry, card expiry date,
            card expiration date""",
        likely="""exp month, exp year, expiry month, expiry year, expiration month,
            expiration year, valid thru, valid through, good thru, card expires""",
        weak="""expiry date, expiration date, exp date, expiry, expiration, ablaufdatum,
            gultig bis, date d expiration, fecha de vencimiento, fecha de caducidad,
            fecha de expiracion, data di scadenza, data de validade, vervaldatum""",
        context=CARD_WORDS,
        against=_words("""passport document license licence product contract subscription token
            session password certificate cert coupon voucher offer promo item batch lot
            membership policy warranty trial domain"""),
    ),
    "IBAN": Vocabulary(
        strong="iban, iban code, international bank account number, international bank account",
    ),
    "BANK_ACCOUNT_NUMBER": Vocabulary(
        strong="""bank account, bank account number, bban, sort code, kontonummer, bankkonto,
            compte bancaire, rib, cuenta bancaria, clabe, cbu, conto corrente, conto bancario,
            conta bancaria, rekeningnummer, bankrekening""",
        likely="""routing number, aba number, bsb, bankleitzahl, blz, bankverbindung,
            numero de compte, numero de cuenta, numero di conto, numero da conta, rekening,
            checking account, savings account""",
        weak="account number, acct number, acct, konto",
        context=BANK_WORDS,
        against=_words("""loyalty game social email twitter instagram facebook github google aws
            cloud ad ads utility electricity gas water telecom crm"""),
    ),
    "SWIFT_BIC": Vocabulary(
        strong="swift, swift code, bic, bic code, swift bic, bic swift, bank identifier code",
        context=BANK_WORDS,
    ),
    "MEDICAL_RECORD_NUMBER": Vocabulary(
        strong="""mrn, medical record number, medical record, health record, patient record,
            dossier medical, historia clinica, cartella clinica, prontuario""",
        likely="""patient id, patient number, patient identifier, chart number, hospital number,
            nhs number, ehr id, emr id, ehr number, emr number, patientennummer,
            numero de patient, numero de paciente, numero paziente, patientnummer""",
        weak="case number",
        context=HEALTH_WORDS,
    ),
    "HEALTH_CONDITION": Vocabulary(
        strong="""diagnosis, diagnosis code, icd, icd code, medical condition, health condition,
            chronic condition, medical history, diagnose, diagnostic, diagnostico, diagnosi,
            hiv status""",
        likely="""disease, illness, disorder, allergy, symptom, medication, comorbidity, dx,
            krankheit, erkrankung, vorerkrankung, maladie, pathologie, patologia, enfermedad,
            malattia, doenca, ziekte, aandoening, blood type, disability, tipo de sangre,
            tipo sanguineo, grupo sanguineo, gruppo sanguigno, groupe sanguin""",
        weak="condition, treatment, prescription",
        context=HEALTH_WORDS | PERSON_WORDS,
        against=_words("""item product vehicle car weather road payment contract loan stock book
            sale offer trade term rule filter query join trigger alert test check market credit
            shipping delivery service policy device machine equipment asset property house
            building"""),
    ),
    "HEALTH_INSURANCE_NUMBER": Vocabulary(
        strong="""health insurance number, health insurance id, health insurance,
            insurance member id, krankenversicherungsnummer, versichertennummer, kvnr,
            carte vitale, assurance maladie, numero d assurance maladie, tarjeta sanitaria,
            tessera sanitaria, cartao sus, ehic""",
        likely="insurance number, insurance id, medicare, medicaid, health plan id, cns",
        weak="policy number, polisnummer, krankenkasse, zorgverzekering",
        context=HEALTH_WORDS,
    ),
    "ETHNICITY": Vocabulary(
        strong="""ethnicity, ethnic origin, ethnic group, ethnic background, racial origin,
            ethnie, origine ethnique, etnia, etnicidad, origen etnico, etnicita, origine etnica,
            etniciteit, ethnische herkunft, ethnische zugehorigkeit""",
        likely="race, ethnic, raca, cor raca",
        weak="raza, herkunft, afkomst, ancestry",
        context=PERSON_WORDS,
        against=_words("horse motor bike cycling lap result dog cat animal pet game sport"),
    ),
    "RELIGION": Vocabulary(
        strong="""religion, religious affiliation, religious belief, religione, religiao,
            religie, konfession, religionszugehorigkeit""",
        likely="faith, religious",
        weak="belief, denomination, confession, bekenntnis",
        context=PERSON_WORDS,
    ),
    "SEXUAL_ORIENTATION": Vocabulary(
        strong="""sexual orientation, sexuality, sexual preference, sexual identity,
            sexuelle orientierung, orientation sexuelle, orientacion sexual,
            orientamento sessuale, orientacao sexual, seksuele orientatie, seksuele geaardheid""",
        likely="lgbt, lgbtq",
        weak="orientation",
        context=PERSON_WORDS,
        against=_words("""page screen display device image photo print paper layout camera sensor
            text map document landscape portrait view ui"""),
    ),
    "POLITICAL_OPINION": Vocabulary(
        strong="""political opinion, political affiliation, political party, party affiliation,
            political view, political preference, political belief, politische meinung,
            parteizugehorigkeit, parteimitgliedschaft, opinion politique, parti politique,
            afiliacion politica, partido politico, opinion politica, orientamento politico,
            partito politico, opiniao politica, filiacao partidaria, politieke voorkeur,
            politieke partij""",
        likely="politics, party membership, voting intention, vote intention, political",
        weak="partei",
        context=PERSON_WORDS | _words("voter election poll survey"),
    ),
}

# The infotypes whose values are themselves identifiers: `passport_id`, `ssn_id` name them.
IDENTIFIER_INFOTYPES = frozenset(
    {
        "US_SSN",
        "NATIONAL_ID",
        "PASSPORT_NUMBER",
        "DRIVERS_LICENSE_NUMBER",
        "TAX_ID",
        "MEDICAL_RECORD_NUMBER",
        "HEALTH_INSURANCE_NUMBER",
        "IBAN",
        "BANK_ACCOUNT_NUMBER",
        "VEHICLE_IDENTIFICATION_NUMBER",
        "LICENSE_PLATE",
        "CREDIT_CARD_NUMBER",
        "SWIFT_BIC",
    }
)


# --- negative cues ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NegativeCue:
    """Words that say a column holds no personal value whatever its other words say: a cue word
    at a position (`*_id`, `is_*`), with a head word (`hire` + `date`), or a whole phrase."""

    words: frozenset[str]
    at: Literal["phrase", "any", "first", "last", "edge"] = "any"
    heads: frozenset[str] = frozenset()  # a word the cue also needs, e.g. "date" for "hire"
    alone: bool = False  # the cue word as the whole name fires too ("company", "genre")
    unless: Literal["", "identifier", "positive"] = ""  # a term that cancels it ("ssn_id")
    exempt: frozenset[str] = frozenset()  # words that cancel it ("currency_code")
    yields_to: frozenset[str] = frozenset()  # words nearer the head that cancel it


NAME_HEADS = _words("""
    name title label caption bezeichnung designation libelle titre denominacion titulo
    denominazione titolo denominacao omschrijving название наименование 名称
""")
DATE_HEADS = _words("date dt datum fecha data time timestamp ts datetime at on day jour dia giorno")
EVENT_WORDS = _words("""
    hire hired hiring order ordered invoice invoiced billing bill created create creation updated
    update modified modify modification changed change deleted delete removed inserted insert
    loaded load ship shipped shipping shipment delivery delivered due payment paid pay purchase
    purchased sale sold start started end ended finish finished close closed closing open opened
    effective transaction txn posting posted booking booked release released publish published
    sent received signup registration registered login logon logout expires expired renewal
    termination terminated cancel cancelled canceled approval approved submitted submit scheduled
    schedule visit admission discharge checkin checkout arrival departure report reported
    contract enrolment enrollment joined resignation sync synced import imported export exported
    processed run batch refresh settlement settled required requested expected planned promised
    target estimated actual last next
    eintritt eintritts austritt austritts bestell bestellung bestellt rechnung rechnungs erstell
    erstellt erstellung anlage angelegt aenderung anderung geandert lieferung liefer zahlung
    zahlungs buchung buchungs fallig versand storno kundigung
    embauche commande facture facturation creation modification maj livraison paiement echeance
    envoi reception inscription debut fin ouverture cloture
    alta baja pedido factura facturacion creacion modificacion actualizacion entrega envio pago
    registro inicio compra venta contratacion ingreso
    assunzione ordine fattura creazione modifica aggiornamento consegna spedizione pagamento
    registrazione inizio fine acquisto vendita
    admissao pedido encomenda fatura criacao alteracao atualizacao cadastro fim venda
    bestel bestelling factuur aanmaak gewijzigd wijziging levering betaling verzending eind
    aankoop verkoop
""")

# "Or", which joins alternatives: a column for a person's name or a firm's holds either.
ALTERNATIVES = _words("or o ou oder eller")

NEGATIVE_CUES: tuple[NegativeCue, ...] = (
    # Surrogate and foreign keys: `customer_id`, `id_cliente`, `userid`.
    NegativeCue(
        _words("id ids uuid guid pk fk sk oid key identifier"), at="edge", unless="identifier"
    ),
    # Counts, quantities and money: `order_count`, `unit_price`, `num_orders`.
    NegativeCue(
        _words("""count cnt qty quantity amount amt price cost total subtotal sum balance fee rate
            avg average mean median min max minimum maximum pct percent percentage ratio score
            weight height size volume revenue income salary wage discount tax margin profit
            budget limit credit attempts retries tries failures errors hits views clicks visits
            anzahl menge betrag preis summe gesamt kosten montant prix quantite cantidad importe
            precio monto quantita importo prezzo quantidade valor preco aantal bedrag prijs"""),
        at="last",
    ),
    NegativeCue(
        _words("count cnt nb total tot sum avg min max quantity anzahl aantal cantidad"),
        at="first",
    ),
    # Flags: `is_active`, `has_consent`, `email_verified`.
    NegativeCue(
        _words("is has have can should was were did does allow ist hat es est flag flg"),
        at="first",
    ),
    NegativeCue(
        _words("""flag flg ind indicator yn bool boolean active enabled disabled verified confirmed
            validated valid consent optin opted subscribed"""),
        at="last",
    ),
    # Codes that are no postal, country or card code: `status_code`, `product_code`.
    NegativeCue(
        _words("code cd cde cod codigo codice"),
        at="edge",
        unless="positive",
        exempt=_words("currency moneda devise valuta wahrung moeda"),
    ),
    # Kinds, states, formats, links and free text: `address_type`, `email_status`, `notes`.
    NegativeCue(
        _words("""type typ tipo kind category status level mode format fmt version model provider
            source style domain url uri link href path template subject body content note comment
            remark description desc memo message summary bio feedback review hash digest checksum
            md sha crc length len preference setting config option visibility privacy"""),
        at="last",
    ),
    # The same, where the language puts the kind first: `tipo_documento`, `type_of_address`.
    NegativeCue(_words("type typ tipo"), at="first"),
    # Names of things, not people: `product_name`, `nom_produit`, `company`, `genre`.
    NegativeCue(ENTITY_WORDS, heads=NAME_HEADS, alone=True, yields_to=PERSON_WORDS),
    # Dates of events, not of birth: `hire_date`, `fecha_alta`, `created_at`.
    NegativeCue(EVENT_WORDS, heads=DATE_HEADS),
    NegativeCue(
        _words("""created updated modified deleted inserted changed edited change update timestamp
            ts datetime"""),
        at="last",
    ),
    # Phrases whose words would otherwise read as personal data.
    NegativeCue(
        frozenset(
            {
                "user agent",
                "entity name",
                "legal entity",
                "nombre entidad",
                "nom entite",
                "nome entita",
                "nome entidade",
                "domain name",
                "name server",
                "last login",
                "last seen",
                "first seen",
                "raison sociale",
                "razon social",
                "ragione sociale",
                "razao social",
                "mime type",
                "sort order",
                # on-street and off-street parking, loading or lighting: the street is where
                "on street",
                "off street",
            }
        ),
        at="phrase",
    ),
)


# --- normalisation -------------------------------------------------------------------------------

# Spellings read as one word, so one vocabulary entry serves every language.
CANONICAL: dict[str, str] = {
    word: canonical
    for canonical, spellings in (
        ("number", "number num no nr nbr nmbr nro nummer numero numer n"),
        (
            "address",
            "address addr adr adress adresse adres direccion indirizzo endereco adresa адрес",
        ),
        ("name", "name nm nom nombre nome naam navn namn имя 名前"),
        ("license", "license licence lic lizenz"),
        ("code", "code cd cde"),
    )
    for word in spellings.split()
}
# Articles and elisions ("date of birth", "fecha de nacimiento", "carte d'identite").
STOPWORDS = _words(
    "of the de di da do du des del della delle dei dello dos das la le el los las l d s"
)
# Words that add nothing to a term: `phone_number`, `address_1` are fully a phone and an address.
FILLER = _words("number # value val txt str")
# Parts a glued compound may have although shorter than three letters ("ipaddress", "userid").
SHORT_PARTS = _words("ip id dl cc no nr nb pw db hw is of de di da do du")
# Endings that make ordinary words, never a compound's last part ("percentage", "membership").
BAD_TAILS = _words("age ship")
# The most frequent English words, of which the parts of a glued name split as English must be.
COMMON_ENGLISH = 30_000
# Schema words that only help to split glued names ("unitprice", "rowid").
GLUE_WORDS = _words("unit list row net gross base line item")

_ACCENTLESS = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L"}
    | {"đ": "d", "Đ": "D", "þ": "th", "Þ": "TH", "\u0131": "i"}
)
# Camel, Pascal and acronym runs, digit runs, and runs of letters outside ASCII.
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_A-Za-z]+")
# "IPv4", "IPv6": an acronym with a lower-case letter before digits stays one word.
_ACRONYM_VERSION = re.compile(r"[A-Z]{2,}[a-z](?=\d)")


def fold(name: str) -> str:
    """Accents and ligatures folded: "Straße" -> "Strasse", "prénom" -> "prenom"."""
    if name.isascii():
        return name
    decomposed = unicodedata.normalize("NFKD", name.translate(_ACCENTLESS))
    # Only the Latin, Greek and Cyrillic diacritics go; a kana's voicing mark stays on it.
    bare = "".join(char for char in decomposed if not "\u0300" <= char <= "\u036f")
    return unicodedata.normalize("NFC", bare)


def _phrases(tier: str) -> list[str]:
    return [" ".join(fold(phrase).lower().split()) for phrase in tier.split(",") if phrase.strip()]


def _all_phrases() -> Iterable[str]:
    for vocabulary in VOCABULARY.values():
        for tier in (vocabulary.strong, vocabulary.likely, vocabulary.weak):
            yield from _phrases(tier)
    for cue in NEGATIVE_CUES:
        yield from cue.words


LEXICON: frozenset[str] = frozenset(
    word
    for group in (
        *(phrase.split() for phrase in _all_phrases()),
        *(cue.heads for cue in NEGATIVE_CUES),
        *(vocabulary.context | vocabulary.against for vocabulary in VOCABULARY.values()),
        CANONICAL,
        STOPWORDS,
        FILLER,
        GLUE_WORDS,
    )
    for word in group
)
# Words a number belongs to ("address1", "add1", "line1"); after any other word a number is
# dropped, so "IPv4Address" reads as "ipv address" and "cvv2" as "cvv".
NUMBERED = frozenset(
    CANONICAL.get(word, word)
    for phrase in _all_phrases()
    for word, following in zip(phrase.split(), phrase.split()[1:], strict=False)
    if following == "#"
)


@lru_cache(maxsize=16384)
def _lemma(word: str) -> str:
    return word if word in LEXICON else _singular(word)


def _singular(word: str) -> str:
    """The known word `word` is a plural of, else `word`."""
    # English and Romance plurals; German plurals and linking letters ("kreditkarten").
    for suffix, replacement in (("ies", "y"), ("es", ""), ("s", ""), ("en", ""), ("n", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            base = word[: -len(suffix)] + replacement
            if base in LEXICON:
                return base
    return word


def _part(word: str, first: bool, last: bool) -> bool:
    if len(word) < 3 and word not in SHORT_PARTS:
        return False
    if word in STOPWORDS and (first or last):
        return False
    if last and word in BAD_TAILS:
        return False
    return _lemma(word) in LEXICON


def _split(word: str, parts: int, first: bool) -> tuple[str, ...] | None:
    if parts == 1:
        return (word,) if _part(word, first, last=True) else None
    for cut in range(len(word) - 2, 1, -1):  # the longest known head first
        head = word[:cut]
        if _part(head, first, last=False):
            rest = _split(word[cut:], parts - 1, first=False)
            if rest is not None:
                return (head, *rest)
    return None


@lru_cache(maxsize=16384)
def _compound(word: str, english: bool = True) -> tuple[str, ...]:
    """A glued word as its known parts ("firstname" -> first, name), or as itself."""
    if len(word) < 5 or not word.isalpha() or _lemma(word) in LEXICON:
        return (word,)
    for parts in (2, 3):
        split = _split(word, parts, first=True)
        if split is not None:
            return split
    return _english_compound(word) if english else (word,)


def _english_compound(word: str) -> tuple[str, ...]:
    """A glued word whose parts are not all ours, split where English words are (by their
    frequency in English text): "principalcity" -> principal, city; "nflastname" -> nf, last,
    name. Kept only for a compound as ours are: two or three common English words (or compounds
    of ours: "lastname"), the last of them (what an English compound is) in the singular a word
    of ours of four letters or more ("ages" is not: `pourcentages`), and no single letters. An
    abbreviation ("descr", "assgn"), a word of another language ("secretaria" is no secret aria,
    "velocidade" no velo cidade) or a sentence glued up as a survey question's name splits into
    fragments that are words by chance."""
    split, common = _english()
    english = split(word)
    ours = [_compound(part, english=False) for part in english]
    if not 2 <= len(english) <= 3 or not all(
        common(part) or len(own) > 1 for part, own in zip(english, ours, strict=True)
    ):
        return (word,)
    parts = [token for own in ours for token in own]
    last = _lemma(parts[-1])
    if all(len(part) > 1 for part in parts) and len(last) > 3 and last in LEXICON:
        return tuple(parts)
    return (word,)


@lru_cache(maxsize=1)
def _english() -> tuple[Callable[[str], list[str]], Callable[[str], bool]]:
    """wordninja's split, and whether a word is among the COMMON_ENGLISH most frequent of its
    list; imported when first needed (the list costs 18 MB)."""
    import wordninja

    model = wordninja.DEFAULT_LANGUAGE_MODEL
    costs: dict[str, float] = model._wordcost  # a word's cost: log((rank + 1) * log(words))
    most = math.log(COMMON_ENGLISH * math.log(len(costs)))
    return model.split, lambda word: costs.get(word, math.inf) <= most


def tokens(name: str, english: bool = True) -> tuple[str, ...]:
    """The words of a column or table name: split at case changes, digits and punctuation,
    lower-cased, accents folded, glued compounds split into known words ("add1" -> add, 1), and
    unless `english` is False, into English words where ours do not split them."""
    text = _ACRONYM_VERSION.sub(lambda match: match.group(0).lower(), fold(name))
    out: list[str] = []
    for word in _WORD.findall(text):
        out.extend(_compound(word.lower(), english))
    return tuple(out)


def _counts(surface: tuple[str, ...], index: int) -> bool:
    """Whether a number word at this index starts a count: "number_of_orders", "num_orders"."""
    following = surface[index + 1] if index + 1 < len(surface) else ""
    # A leading number word before a plural counts it: "num_orders", "num_credit_cards".
    counted = surface[-1] if index == 0 and len(surface) > 1 else ""
    return following == "of" or (len(following) > 3 and _plural(counted))


def _plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _canonical(surface: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The words the vocabulary is written in, with the index of each in `surface`."""
    words: list[str] = []
    where: list[int] = []
    for index, token in enumerate(surface):
        if token.isdigit():
            if not words or words[-1] not in NUMBERED:
                continue
            word = "#"
        else:
            lemma = _lemma(token)
            word = CANONICAL.get(lemma, lemma)
        if word == "number" and _counts(surface, index):
            word = "count"
        if word in STOPWORDS:
            continue
        words.append(word)
        where.append(index)
    return tuple(words), tuple(where)


# --- the index, built once ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Term:
    infotype: str
    strength: float


def _key(phrase: str) -> tuple[str, ...]:
    return _canonical(tuple(fold(phrase).lower().split()))[0]


def _build_index() -> dict[tuple[str, ...], _Term | str]:
    index: dict[tuple[str, ...], _Term | str] = {}

    def add(phrase: str, entry: _Term | str) -> None:
        key = _key(phrase)
        if not key:
            raise ValueError(f"phrase {phrase!r} has no words of its own")
        if index.get(key, entry) != entry:
            raise ValueError(f"phrase {phrase!r} means both {index[key]!r} and {entry!r}")
        index[key] = entry

    for infotype, vocabulary in VOCABULARY.items():
        for tier, strength in ((vocabulary.strong, STRONG), (vocabulary.likely, LIKELY)):
            for phrase in _phrases(tier):
                add(phrase, _Term(infotype, strength))
        for phrase in _phrases(vocabulary.weak):
            add(phrase, _Term(infotype, WEAK))
    for cue in NEGATIVE_CUES:
        if cue.at == "phrase":
            for phrase in cue.words:
                add(phrase, "negative")
    return index


_INDEX = _build_index()
_LONGEST = max(len(key) for key in _INDEX)
_QUALIFIERS = {
    infotype: vocabulary.context | vocabulary.against for infotype, vocabulary in VOCABULARY.items()
}
_POSITIONAL_CUES = tuple(cue for cue in NEGATIVE_CUES if cue.at != "phrase")
_CUE_QUALIFIERS = {cue: cue.words | cue.yields_to for cue in _POSITIONAL_CUES}
if set(VOCABULARY) != set(INFOTYPES):
    raise ValueError("VOCABULARY must cover exactly the infotypes of taxonomy.py")


# --- matching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameEvidence:
    """What a column's name says: strength 0..1 per infotype it speaks for (only those), the
    negative cue that fired, if any, and the normalised tokens, for the evidence record."""

    scores: dict[str, float]
    negative: str | None
    tokens: tuple[str, ...]
    last: str | None = None  # the infotype of the term that holds the name's last word


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    entry: _Term | str  # a term, or "negative" for a negative phrase


def _scan(words: tuple[str, ...]) -> list[_Match]:
    """Longest phrases first, left to right; a word belongs to at most one phrase."""
    matches: list[_Match] = []
    start, count = 0, len(words)
    while start < count:
        for size in range(min(_LONGEST, count - start), 0, -1):
            entry = _INDEX.get(words[start : start + size])
            if entry is not None:
                matches.append(_Match(start, start + size, entry))
                start += size
                break
        else:
            start += 1
    return matches


def _nearest(words: tuple[str, ...], start: int, end: int, wanted: frozenset[str]) -> int | None:
    """The position of a wanted word nearest to words[start:end], the earlier one on a tie, on
    the same side of an "or" (`name_or_company`: the company does not make the name its own)."""
    for distance in range(1, len(words)):
        for position in (start - distance, end - 1 + distance):
            if (
                0 <= position < len(words)
                and words[position] in wanted
                and not _apart(words, start, position)
            ):
                return position
    return None


def _apart(words: tuple[str, ...], one: int, other: int) -> bool:
    """Whether an "or" stands between the words at `one` and `other`, which it then offers as
    alternatives instead of joining them."""
    low, high = sorted((one, other))
    return not ALTERNATIVES.isdisjoint(words[low:high])


# Words any table name may carry that say nothing of what its rows are: `salary_data`, `dim_x`.
GENERIC_TABLE_WORDS = _words("""
    data table tbl tab info information detail details record records list lists master dim fact
    raw stg staging tmp temp test sample new old backup bak view vw export import dump main daten
    tabelle donnees tabla dati tabella dados tabela gegevens
""")


@lru_cache(maxsize=1024)
def _table_words(table: str) -> tuple[str, ...]:
    """The table name's words that say what its rows are, each in the singular: a table holds
    `drivers` even where the plural is itself a known word (of "drivers license"). Our own words
    only: a guess at English words in a glued table name (`ramseycounty`, a publisher's or a
    place's name as often as what the rows are) is too weak to overturn a column's own words."""
    words = _canonical(tokens(table, english=False))[0] if table else ()
    return tuple(_singular(word) for word in words if word not in GENERIC_TABLE_WORDS)


def _decider(
    match: _Match, infotype: str, words: tuple[str, ...], table: tuple[str, ...]
) -> tuple[str, int | None] | None:
    """The word that decides an ambiguous term: the nearest context or against word in the
    column (with its position), else the table name's last one (position None)."""
    qualifiers = _QUALIFIERS[infotype]
    position = _nearest(words, match.start, match.end, qualifiers)
    if position is not None:
        return words[position], position
    for word in reversed(table):
        if word in qualifiers:
            return word, None
    return None


def _cue_label(
    cue: NegativeCue,
    words: tuple[str, ...],
    spelled: tuple[str, ...],
    content: list[int],
    taken: set[int],
) -> str | None:
    """The cue's label if it fires on these words ("hire_date", "*_id", "is_*", "company"). A
    word a term took ("national id", "zip code", "birth date") fires no cue, but an entity or
    event word a term took still qualifies a free head ("login_date")."""
    if cue.heads:
        alone = content[0]
        if cue.alone and len(content) == 1 and words[alone] in cue.words and alone not in taken:
            return spelled[alone]
        for head in content:
            if words[head] not in cue.heads or head in taken:
                continue
            position = _nearest(words, head, head + 1, _CUE_QUALIFIERS[cue])
            if position is None or words[position] not in cue.words:
                continue  # none, or a person word is nearer: `company_contact_name`
            first, second = sorted((position, head))
            return f"{spelled[first]}_{spelled[second]}"
        return None
    for index in content:
        if words[index] not in cue.words or index in taken:
            continue
        is_first, is_last = index == content[0], index == content[-1]
        if (
            (cue.at == "first" and not is_first)
            or (cue.at == "last" and not is_last)
            or (cue.at == "edge" and not (is_first or is_last))
        ):
            continue
        if len(content) == 1:
            return spelled[index]
        return f"{spelled[index]}_*" if is_first else f"*_{spelled[index]}"
    return None


def _applies(cue: NegativeCue, words: tuple[str, ...], terms: list[_Term]) -> bool:
    if cue.exempt.intersection(words):
        return False
    if cue.unless == "positive":
        return not terms
    if cue.unless == "identifier":
        return not any(
            term.infotype in IDENTIFIER_INFOTYPES and term.strength >= STRONG for term in terms
        )
    return True


def _offered(match: _Match, matches: list[_Match], words: tuple[str, ...]) -> bool:
    """Whether an "or" stands between this phrase and a term, which it then only offers as an
    alternative: "nombre o razon social" is a person's name or a firm's."""
    return any(
        _apart(words, match.start, other.start)
        for other in matches
        if isinstance(other.entry, _Term)
    )


def _negative_cue(
    matches: list[_Match], words: tuple[str, ...], spelled: tuple[str, ...], content: list[int]
) -> str | None:
    """The first negative cue of NEGATIVE_CUES the name shows, as its label."""
    for match in matches:
        if isinstance(match.entry, str) and not _offered(match, matches, words):
            return "_".join(spelled[match.start : match.end])
    if not content:
        return None
    terms = [match.entry for match in matches if isinstance(match.entry, _Term)]
    taken = {index for match in matches for index in range(match.start, match.end)}
    for cue in _POSITIONAL_CUES:
        if _applies(cue, words, terms):
            label = _cue_label(cue, words, spelled, content, taken)
            if label is not None:
                return label
    return None


def _score(
    match: _Match,
    term: _Term,
    words: tuple[str, ...],
    spelled: tuple[str, ...],
    content: list[int],
    table: tuple[str, ...],
    where: tuple[int, ...],
) -> tuple[float, str | None]:
    """A term's strength in this name, and the negative cue its context makes of it, if any."""
    span = range(match.start, match.end)
    score = term.strength if all(index in span for index in content) else term.strength * EMBEDDED
    if term.strength >= STRONG:
        return score, None
    decider = _decider(match, term.infotype, words, table)
    if decider is None:
        return score, None
    word, position = decider
    vocabulary = VOCABULARY[term.infotype]
    if word in vocabulary.context:
        if _serves(match, term, word, position, content, where):
            return score, None
        return max(score, IN_TABLE_CONTEXT if position is None else IN_COLUMN_CONTEXT), None
    if position is None:  # `name` in the table `products`: "product_name"
        return score * NEGATED, "_".join((word, *spelled[match.start : match.end]))
    return score * NEGATED, "_".join(spelled[index] for index in sorted({*span, position}))


def _serves(
    match: _Match,
    term: _Term,
    word: str,
    position: int | None,
    content: list[int],
    where: tuple[int, ...],
) -> bool:
    """Whether a weak place word comes right before the post that ends the name, and so says
    where its holder serves, not where they are: `district_manager`, `state_representative`
    hold people. A post before the place (`lead_state`, a sales lead's state), an "of" between
    them (`state_of_manager`) or a party after it (`distrito_cliente`, the client's district,
    as Romance languages order it) leave the person's word raising it to a place; a likely
    place word is raised as before (`city_manager` stays a place, a post though it is)."""
    return (
        term.infotype == "LOCATION"
        and term.strength < LIKELY
        and word in POST_WORDS
        and position == content[-1] == match.end
        and where[position] == where[match.end - 1] + 1
    )


def name_evidence(column: str, table: str = "") -> NameEvidence:
    """The evidence of a column's name, read with its table's name, for and against infotypes."""
    surface = tokens(column)
    words, where = _canonical(surface)
    spelled = tuple(surface[index] for index in where)
    content = [index for index, word in enumerate(words) if word not in FILLER]
    matches = _scan(words)
    table_words = _table_words(table)

    scores: dict[str, float] = {}
    negative: str | None = None
    head = ""
    last = None  # what the term holding the name's last word names: `principal_city`, a place
    for match in matches:
        if isinstance(match.entry, _Term):
            score, against = _score(match, match.entry, words, spelled, content, table_words, where)
            head = match.entry.infotype
            scores[head] = max(scores.get(head, 0.0), score)
            negative = negative or against
            if content and match.start <= content[-1] < match.end:
                last = head
    # The last term names what the column holds; earlier ones describe it (`billing_address_zip`).
    # An address holds its city and postal code, never the other way round: a name with both
    # holds the part, whichever end its language puts the head (`municipio_domicilio`).
    if head == "STREET_ADDRESS":  # a weak word of a part (`location`) does not count
        head = next((part for part in ADDRESS_PARTS if scores.get(part, 0.0) > WEAK), head)
    scores = {it: score if it == head else score * MODIFIER for it, score in scores.items()}

    cue = _negative_cue(matches, words, spelled, content)
    if not scores and cue is None and _role(words, table_words):
        # A person's role or alias alone (`owner`, `compliance_inspector`, `alias`) often holds
        # a name: weak evidence, which values of names complete and others leave below the
        # threshold.
        scores["PERSON_NAME"] = ROLE if len(content) == 1 else ROLE * EMBEDDED
    if cue is not None:  # the name says what kind of value this is: none of the terms' kinds
        scores = {infotype: score * NEGATED for infotype, score in scores.items()}
        negative = cue
    return NameEvidence(
        {infotype: round(score, 3) for infotype, score in scores.items()}, negative, surface, last
    )


def _role(words: tuple[str, ...], table: tuple[str, ...]) -> bool:
    """Whether the name ends in a person's role or an alias (`customer_number` does not), in a
    table whose rows are no things or places (the `parent` of a county is a county)."""
    return (
        bool(words)
        and (words[-1] in VOCABULARY["PERSON_NAME"].context or words[-1] in ALIAS_WORDS)
        and not any(word in ENTITY_WORDS or word in PLACE_WORDS for word in table)
    )
