"""Words the catalogue generator builds its data from: locales, currencies, channels, labels, product words.

Every translated entry is a tuple in `LOCALE_CODES` order (en_US, fr_FR, de_DE, es_ES, it_IT, nl_NL), so a
catalogue with N locales takes the first N columns. Plain data, no logic beyond `tr`.
"""

from __future__ import annotations

# Active locales a catalogue can have, in the order the contract promises (en_US first).
LOCALE_CODES = ("en_US", "fr_FR", "de_DE", "es_ES", "it_IT", "nl_NL")

# Listed with status 0, as UnoPim lists every seeded locale whether active or not.
INACTIVE_LOCALE_CODES = ("af_ZA", "ar_AE", "da_DK", "ja_JP", "pl_PL", "pt_BR", "sv_SE", "zh_CN")

# (code, CLDR English label, rate from USD, decimals shown in prices).
CURRENCIES = (
    ("USD", "US Dollar", 1.0, 2),
    ("EUR", "Euro", 0.92, 2),
    ("GBP", "British Pound", 0.79, 2),
    ("CAD", "Canadian Dollar", 1.36, 2),
    ("CHF", "Swiss Franc", 0.88, 2),
    ("AUD", "Australian Dollar", 1.52, 2),
    ("SEK", "Swedish Krona", 10.5, 2),
    ("JPY", "Japanese Yen", 150.0, 0),
)
INACTIVE_CURRENCIES = (
    ("AED", "United Arab Emirates Dirham"),
    ("BRL", "Brazilian Real"),
    ("INR", "Indian Rupee"),
    ("MXN", "Mexican Peso"),
)

Translations = tuple[str, str, str, str, str, str]

CHANNELS: tuple[tuple[str, Translations], ...] = (
    ("default", ("Default", "Par défaut", "Standard", "Predeterminado", "Predefinito", "Standaard")),
    ("mobile", ("Mobile", "Mobile", "Mobil", "Móvil", "Mobile", "Mobiel")),
    ("print", ("Print Catalogue", "Catalogue imprimé", "Printkatalog", "Catálogo impreso", "Catalogo cartaceo",
               "Printcatalogus")),
    ("marketplace", ("Marketplace", "Place de marché", "Marktplatz", "Marketplace", "Marketplace",
                     "Marktplaats")),
)  # fmt: skip

ATTRIBUTE_GROUPS: tuple[tuple[str, Translations], ...] = (
    ("general", ("General", "Général", "Allgemein", "General", "Generale", "Algemeen")),
    ("description", ("Description", "Description", "Beschreibung", "Descripción", "Descrizione", "Beschrijving")),
    ("meta_description", ("Meta Description", "Méta-description", "Meta-Beschreibung", "Meta descripción",
                          "Meta descrizione", "Metabeschrijving")),
    ("price", ("Price", "Prix", "Preis", "Precio", "Prezzo", "Prijs")),
    ("media", ("Media", "Médias", "Medien", "Multimedia", "Media", "Media")),
    ("technical", ("Technical", "Technique", "Technisch", "Técnico", "Tecnico", "Technisch")),
    ("marketing", ("Marketing", "Marketing", "Marketing", "Marketing", "Marketing", "Marketing")),
)  # fmt: skip

ATTRIBUTE_LABELS: dict[str, Translations] = {
    "sku": ("SKU", "SKU", "SKU", "SKU", "SKU", "SKU"),
    "name": ("Name", "Nom", "Name", "Nombre", "Nome", "Naam"),
    "url_key": ("URL Key", "Clé d'URL", "URL-Schlüssel", "Clave URL", "Chiave URL", "URL-sleutel"),
    "tax_category_id": ("Tax Category", "Catégorie de taxe", "Steuerkategorie", "Categoría fiscal",
                        "Categoria fiscale", "Belastingcategorie"),
    "image": ("Image", "Image", "Bild", "Imagen", "Immagine", "Afbeelding"),
    "short_description": ("Short Description", "Description courte", "Kurzbeschreibung", "Descripción corta",
                          "Descrizione breve", "Korte beschrijving"),
    "description": ("Description", "Description", "Beschreibung", "Descripción", "Descrizione", "Beschrijving"),
    "price": ("Price", "Prix", "Preis", "Precio", "Prezzo", "Prijs"),
    "cost": ("Cost", "Coût", "Kosten", "Coste", "Costo", "Kosten"),
    "meta_title": ("Meta Title", "Méta-titre", "Meta-Titel", "Meta título", "Meta titolo", "Metatitel"),
    "meta_keywords": ("Meta Keywords", "Mots-clés méta", "Meta-Schlüsselwörter", "Palabras clave meta",
                      "Parole chiave meta", "Metatrefwoorden"),
    "meta_description": ("Meta Description", "Méta-description", "Meta-Beschreibung", "Meta descripción",
                         "Meta descrizione", "Metabeschrijving"),
    "length": ("Length", "Longueur", "Länge", "Longitud", "Lunghezza", "Lengte"),
    "width": ("Width", "Largeur", "Breite", "Anchura", "Larghezza", "Breedte"),
    "height": ("Height", "Hauteur", "Höhe", "Altura", "Altezza", "Hoogte"),
    "weight": ("Weight", "Poids", "Gewicht", "Peso", "Peso", "Gewicht"),
    "color": ("Color", "Couleur", "Farbe", "Color", "Colore", "Kleur"),
    "size": ("Size", "Taille", "Größe", "Talla", "Taglia", "Maat"),
    "brand": ("Brand", "Marque", "Marke", "Marca", "Marca", "Merk"),
    "product_number": ("Product Number", "Numéro de produit", "Produktnummer", "Número de producto",
                       "Numero prodotto", "Productnummer"),
    "subtitle": ("Subtitle", "Sous-titre", "Untertitel", "Subtítulo", "Sottotitolo", "Ondertitel"),
    "care_instructions": ("Care Instructions", "Conseils d'entretien", "Pflegehinweise",
                          "Instrucciones de cuidado", "Istruzioni per la cura", "Onderhoudsinstructies"),
    "msrp": ("MSRP", "Prix conseillé", "UVP", "PVP recomendado", "Prezzo consigliato", "Adviesprijs"),
    "gallery": ("Gallery", "Galerie", "Galerie", "Galería", "Galleria", "Galerij"),
    "size_chart": ("Size Chart", "Guide des tailles", "Größentabelle", "Guía de tallas", "Guida alle taglie",
                   "Maattabel"),
    "material": ("Material", "Matière", "Material", "Material", "Materiale", "Materiaal"),
    "manufacturer_code": ("Manufacturer Code", "Code fabricant", "Herstellercode", "Código del fabricante",
                          "Codice produttore", "Fabrikantcode"),
    "quantity": ("Quantity", "Quantité", "Menge", "Cantidad", "Quantità", "Aantal"),
    "certifications": ("Certifications", "Certifications", "Zertifizierungen", "Certificaciones",
                       "Certificazioni", "Certificeringen"),
    "tags": ("Tags", "Étiquettes", "Schlagwörter", "Etiquetas", "Tag", "Tags"),
    "featured": ("Featured", "En vedette", "Hervorgehoben", "Destacado", "In evidenza", "Uitgelicht"),
    "seasons": ("Seasons", "Saisons", "Jahreszeiten", "Temporadas", "Stagioni", "Seizoenen"),
    "release_date": ("Release Date", "Date de sortie", "Erscheinungsdatum", "Fecha de lanzamiento",
                     "Data di uscita", "Releasedatum"),
    "sale_starts_at": ("Sale Starts At", "Début des soldes", "Aktionsbeginn", "Inicio de la oferta",
                       "Inizio saldi", "Start uitverkoop"),
    "product_url": ("Product URL", "URL du produit", "Produkt-URL", "URL del producto", "URL prodotto",
                    "Product-URL"),
    "support_email": ("Support Email", "E-mail d'assistance", "Support-E-Mail", "Correo de soporte",
                      "E-mail assistenza", "Support-e-mail"),
    "gift_wrap": ("Gift Wrap", "Emballage cadeau", "Geschenkverpackung", "Envoltorio de regalo",
                  "Confezione regalo", "Cadeauverpakking"),
}  # fmt: skip

FAMILY_LABELS: dict[str, Translations] = {
    "default": ("Default", "Par défaut", "Standard", "Predeterminado", "Predefinito", "Standaard"),
    "clothing": ("Clothing", "Vêtements", "Bekleidung", "Ropa", "Abbigliamento", "Kleding"),
    "accessories": ("Accessories", "Accessoires", "Zubehör", "Accesorios", "Accessori", "Accessoires"),
}

# Option lists: (code, labels). Brand names are proper nouns and read the same everywhere.
COLOR_OPTIONS: tuple[tuple[str, Translations], ...] = (
    ("red", ("Red", "Rouge", "Rot", "Rojo", "Rosso", "Rood")),
    ("green", ("Green", "Vert", "Grün", "Verde", "Verde", "Groen")),
    ("yellow", ("Yellow", "Jaune", "Gelb", "Amarillo", "Giallo", "Geel")),
    ("black", ("Black", "Noir", "Schwarz", "Negro", "Nero", "Zwart")),
    ("white", ("White", "Blanc", "Weiß", "Blanco", "Bianco", "Wit")),
    ("blue", ("Blue", "Bleu", "Blau", "Azul", "Blu", "Blauw")),
    ("grey", ("Grey", "Gris", "Grau", "Gris", "Grigio", "Grijs")),
    ("navy", ("Navy", "Bleu marine", "Marineblau", "Azul marino", "Blu navy", "Marineblauw")),
)
SIZE_OPTIONS: tuple[tuple[str, Translations], ...] = tuple(
    (code, (code.upper(),) * 6) for code in ("xs", "s", "m", "l", "xl", "xxl")
)  # type: ignore[misc]
BRAND_OPTIONS: tuple[tuple[str, Translations], ...] = tuple(
    (code, (label,) * 6)
    for code, label in (
        ("northwind", "Northwind"), ("contoso", "Contoso"), ("fabrikam", "Fabrikam"),
        ("tailspin", "Tailspin"), ("adventure_works", "Adventure Works"), ("wingtip", "Wingtip"),
        ("litware", "Litware"), ("proseware", "Proseware"),
    )
)  # type: ignore[misc]  # fmt: skip
MATERIAL_OPTIONS: tuple[tuple[str, Translations], ...] = (
    ("cotton", ("Cotton", "Coton", "Baumwolle", "Algodón", "Cotone", "Katoen")),
    ("wool", ("Wool", "Laine", "Wolle", "Lana", "Lana", "Wol")),
    ("polyester", ("Polyester", "Polyester", "Polyester", "Poliéster", "Poliestere", "Polyester")),
    ("leather", ("Leather", "Cuir", "Leder", "Cuero", "Pelle", "Leer")),
    ("linen", ("Linen", "Lin", "Leinen", "Lino", "Lino", "Linnen")),
    ("steel", ("Steel", "Acier", "Stahl", "Acero", "Acciaio", "Staal")),
    ("bamboo", ("Bamboo", "Bambou", "Bambus", "Bambú", "Bambù", "Bamboe")),
    ("recycled_plastic", ("Recycled Plastic", "Plastique recyclé", "Recycelter Kunststoff", "Plástico reciclado",
                          "Plastica riciclata", "Gerecycled plastic")),
)  # fmt: skip
SEASON_OPTIONS: tuple[tuple[str, Translations], ...] = (
    ("spring", ("Spring", "Printemps", "Frühling", "Primavera", "Primavera", "Lente")),
    ("summer", ("Summer", "Été", "Sommer", "Verano", "Estate", "Zomer")),
    ("autumn", ("Autumn", "Automne", "Herbst", "Otoño", "Autunno", "Herfst")),
    ("winter", ("Winter", "Hiver", "Winter", "Invierno", "Inverno", "Winter")),
)
CERTIFICATION_OPTIONS: tuple[tuple[str, Translations], ...] = (
    ("organic", ("Organic", "Bio", "Bio", "Orgánico", "Biologico", "Biologisch")),
    ("fair_trade", ("Fair Trade", "Commerce équitable", "Fairtrade", "Comercio justo", "Commercio equo",
                    "Fairtrade")),
    ("vegan", ("Vegan", "Végan", "Vegan", "Vegano", "Vegano", "Veganistisch")),
    ("recycled", ("Recycled", "Recyclé", "Recycelt", "Reciclado", "Riciclato", "Gerecycled")),
)  # fmt: skip
TAX_CATEGORY_OPTIONS: tuple[tuple[str, Translations], ...] = (
    ("standard", ("Standard Rate", "Taux normal", "Regelsteuersatz", "Tipo general", "Aliquota ordinaria",
                  "Standaardtarief")),
    ("reduced", ("Reduced Rate", "Taux réduit", "Ermäßigter Satz", "Tipo reducido", "Aliquota ridotta",
                 "Verlaagd tarief")),
    ("zero", ("Zero Rate", "Taux zéro", "Nullsatz", "Tipo cero", "Aliquota zero", "Nultarief")),
)  # fmt: skip

# Category tree: department -> three sub-departments, each with the department's three leaf kinds.
CATEGORY_NAMES: dict[str, Translations] = {
    "root": ("Root", "Racine", "Stamm", "Raíz", "Radice", "Hoofdcategorie"),
    "clothing": ("Clothing", "Vêtements", "Bekleidung", "Ropa", "Abbigliamento", "Kleding"),
    "home": ("Home", "Maison", "Wohnen", "Hogar", "Casa", "Wonen"),
    "sports": ("Sports", "Sport", "Sport", "Deportes", "Sport", "Sport"),
    "electronics": ("Electronics", "Électronique", "Elektronik", "Electrónica", "Elettronica", "Elektronica"),
    "men": ("Men", "Homme", "Herren", "Hombre", "Uomo", "Heren"),
    "women": ("Women", "Femme", "Damen", "Mujer", "Donna", "Dames"),
    "kids": ("Kids", "Enfant", "Kinder", "Niños", "Bambini", "Kinderen"),
    "kitchen": ("Kitchen", "Cuisine", "Küche", "Cocina", "Cucina", "Keuken"),
    "living_room": ("Living Room", "Salon", "Wohnzimmer", "Salón", "Soggiorno", "Woonkamer"),
    "bedroom": ("Bedroom", "Chambre", "Schlafzimmer", "Dormitorio", "Camera da letto", "Slaapkamer"),
    "running": ("Running", "Course à pied", "Laufen", "Running", "Corsa", "Hardlopen"),
    "cycling": ("Cycling", "Cyclisme", "Radsport", "Ciclismo", "Ciclismo", "Fietsen"),
    "yoga": ("Yoga", "Yoga", "Yoga", "Yoga", "Yoga", "Yoga"),
    "audio": ("Audio", "Audio", "Audio", "Audio", "Audio", "Audio"),
    "computing": ("Computing", "Informatique", "Computer", "Informática", "Informatica", "Computers"),
    "mobile": ("Mobile", "Mobile", "Mobilgeräte", "Móviles", "Telefonia", "Mobiel"),
    "tops": ("Tops", "Hauts", "Oberteile", "Partes de arriba", "Top", "Tops"),
    "bottoms": ("Bottoms", "Bas", "Hosen", "Partes de abajo", "Pantaloni", "Broeken"),
    "outerwear": ("Outerwear", "Vestes et manteaux", "Oberbekleidung", "Ropa de abrigo", "Capispalla",
                  "Bovenkleding"),
    "essentials": ("Essentials", "Essentiels", "Grundausstattung", "Básicos", "Essenziali", "Basics"),
    "decor": ("Decor", "Décoration", "Deko", "Decoración", "Decorazione", "Decoratie"),
    "storage": ("Storage", "Rangement", "Aufbewahrung", "Almacenaje", "Contenitori", "Opbergen"),
    "gear": ("Gear", "Équipement", "Ausrüstung", "Equipamiento", "Attrezzatura", "Uitrusting"),
    "apparel": ("Apparel", "Vêtements", "Bekleidung", "Ropa", "Abbigliamento", "Kleding"),
    "accessories": ("Accessories", "Accessoires", "Zubehör", "Accesorios", "Accessori", "Accessoires"),
    "devices": ("Devices", "Appareils", "Geräte", "Dispositivos", "Dispositivi", "Apparaten"),
    "cables": ("Cables & Chargers", "Câbles et chargeurs", "Kabel & Ladegeräte", "Cables y cargadores",
               "Cavi e caricatori", "Kabels en opladers"),
    "refurbished": ("Refurbished", "Reconditionné", "Generalüberholt", "Reacondicionado", "Ricondizionato",
                    "Refurbished"),
}  # fmt: skip

# department -> (sub-departments, leaf kinds, family its products use)
DEPARTMENTS: dict[str, tuple[tuple[str, str, str], tuple[str, str, str], str]] = {
    "clothing": (("men", "women", "kids"), ("tops", "bottoms", "outerwear"), "clothing"),
    "home": (("kitchen", "living_room", "bedroom"), ("essentials", "decor", "storage"), "default"),
    "sports": (("running", "cycling", "yoga"), ("gear", "apparel", "accessories"), "accessories"),
    "electronics": (("audio", "computing", "mobile"), ("devices", "cables", "refurbished"), "accessories"),
}

CATEGORY_BLURB: Translations = (
    "<p>Discover our {name} range.</p>",
    "<p>Découvrez notre gamme {name}.</p>",
    "<p>Entdecken Sie unser Sortiment {name}.</p>",
    "<p>Descubre nuestra gama {name}.</p>",
    "<p>Scopri la nostra gamma {name}.</p>",
    "<p>Ontdek ons assortiment {name}.</p>",
)

# Product nouns: (code, SKU prefix, department, fixed sub-department index or -1,
# fixed leaf index or -1, names). Clothing nouns fix the leaf, the others fix the sub-department.
NOUNS: tuple[tuple[str, str, str, int, int, Translations], ...] = (
    ("tshirt", "TEE", "clothing", -1, 0, ("T-Shirt", "T-shirt", "T-Shirt", "Camiseta", "T-shirt", "T-shirt")),
    ("sweater", "SWT", "clothing", -1, 0, ("Sweater", "Pull", "Pullover", "Jersey", "Maglione", "Trui")),
    ("jeans", "JNS", "clothing", -1, 1, ("Jeans", "Jean", "Jeans", "Vaqueros", "Jeans", "Spijkerbroek")),
    ("shorts", "SHO", "clothing", -1, 1, ("Shorts", "Short", "Shorts", "Pantalón corto", "Pantaloncini",
                                          "Korte broek")),
    ("hoodie", "HOD", "clothing", -1, 2, ("Hoodie", "Sweat à capuche", "Kapuzenpullover", "Sudadera con capucha",
                                          "Felpa con cappuccio", "Hoodie")),
    ("jacket", "JKT", "clothing", -1, 2, ("Jacket", "Veste", "Jacke", "Chaqueta", "Giacca", "Jas")),
    ("mug", "MUG", "home", 0, -1, ("Mug", "Mug", "Becher", "Taza", "Tazza", "Mok")),
    ("cutting_board", "BRD", "home", 0, -1, ("Cutting Board", "Planche à découper", "Schneidebrett",
                                             "Tabla de cortar", "Tagliere", "Snijplank")),
    ("lamp", "LMP", "home", 1, -1, ("Table Lamp", "Lampe de table", "Tischlampe", "Lámpara de mesa",
                                    "Lampada da tavolo", "Tafellamp")),
    ("cushion", "CSH", "home", 1, -1, ("Cushion", "Coussin", "Kissen", "Cojín", "Cuscino", "Kussen")),
    ("blanket", "BLK", "home", 2, -1, ("Throw Blanket", "Plaid", "Kuscheldecke", "Manta", "Plaid", "Plaid")),
    ("storage_box", "BOX", "home", 2, -1, ("Storage Box", "Boîte de rangement", "Aufbewahrungsbox",
                                           "Caja de almacenaje", "Scatola portaoggetti", "Opbergbox")),
    ("running_socks", "SCK", "sports", 0, -1, ("Running Socks", "Chaussettes de running", "Laufsocken",
                                               "Calcetines de running", "Calze da running", "Hardloopsokken")),
    ("water_bottle", "BTL", "sports", 0, -1, ("Water Bottle", "Gourde", "Trinkflasche", "Botella de agua",
                                              "Borraccia", "Drinkfles")),
    ("bike_light", "BKL", "sports", 1, -1, ("Bike Light", "Éclairage vélo", "Fahrradlicht",
                                            "Luz para bicicleta", "Luce per bici", "Fietslamp")),
    ("cycling_cap", "CAP", "sports", 1, -1, ("Cycling Cap", "Casquette de cyclisme", "Radmütze",
                                             "Gorra de ciclismo", "Cappellino da ciclismo", "Fietspet")),
    ("yoga_mat", "MAT", "sports", 2, -1, ("Yoga Mat", "Tapis de yoga", "Yogamatte", "Esterilla de yoga",
                                          "Tappetino yoga", "Yogamat")),
    ("gym_bag", "BAG", "sports", 2, -1, ("Gym Bag", "Sac de sport", "Sporttasche", "Bolsa de deporte",
                                         "Borsa sportiva", "Sporttas")),
    ("headphones", "HPH", "electronics", 0, -1, ("Headphones", "Casque audio", "Kopfhörer", "Auriculares",
                                                 "Cuffie", "Koptelefoon")),
    ("speaker", "SPK", "electronics", 0, -1, ("Bluetooth Speaker", "Enceinte Bluetooth",
                                              "Bluetooth-Lautsprecher", "Altavoz Bluetooth",
                                              "Altoparlante Bluetooth", "Bluetooth-speaker")),
    ("keyboard", "KBD", "electronics", 1, -1, ("Keyboard", "Clavier", "Tastatur", "Teclado", "Tastiera",
                                               "Toetsenbord")),
    ("mouse", "MOU", "electronics", 1, -1, ("Wireless Mouse", "Souris sans fil", "Kabellose Maus",
                                            "Ratón inalámbrico", "Mouse wireless", "Draadloze muis")),
    ("charger", "CHG", "electronics", 2, -1, ("USB-C Charger", "Chargeur USB-C", "USB-C-Ladegerät",
                                              "Cargador USB-C", "Caricatore USB-C", "USB-C-oplader")),
    ("phone_case", "CSE", "electronics", 2, -1, ("Phone Case", "Coque de téléphone", "Handyhülle",
                                                 "Funda de móvil", "Cover per telefono", "Telefoonhoesje")),
)  # fmt: skip

# Product line names: proper nouns, never translated.
SERIES = (
    "Alto", "Nova", "Terra", "Aura", "Vela", "Orion", "Lumen", "Sierra", "Nimbus", "Delta", "Atlas", "Echo",
    "Zephyr", "Polar", "Summit", "Harbor", "Cedar", "Maple", "Onyx", "Quartz", "Ember", "Breeze", "Coast",
    "Ridge", "Pulse", "Vertex", "Solstice", "Tundra", "Meridian", "Horizon",
)  # fmt: skip
MODEL_SUFFIXES = ("", "", "", " Pro", " Lite", " Classic", " Plus", " II")

# Whether a locale puts the line name before the noun ("Alto Hoodie") or after ("Sweat à capuche Alto").
SERIES_FIRST = (True, False, True, False, False, True)

SENTENCES: tuple[Translations, ...] = (
    ("Designed for everyday comfort and built to last.",
     "Conçu pour le confort au quotidien et fait pour durer.",
     "Für täglichen Komfort entworfen und langlebig gebaut.",
     "Diseñado para la comodidad diaria y hecho para durar.",
     "Progettato per il comfort quotidiano e fatto per durare.",
     "Ontworpen voor dagelijks comfort en gemaakt om lang mee te gaan."),
    ("A versatile piece that fits every routine.",
     "Une pièce polyvalente qui s'adapte à toutes les routines.",
     "Ein vielseitiges Stück für jeden Alltag.",
     "Una pieza versátil que se adapta a cualquier rutina.",
     "Un capo versatile adatto a ogni routine.",
     "Een veelzijdig item dat bij elke routine past."),
    ("Crafted from carefully selected materials.",
     "Fabriqué à partir de matériaux soigneusement sélectionnés.",
     "Aus sorgfältig ausgewählten Materialien gefertigt.",
     "Fabricado con materiales cuidadosamente seleccionados.",
     "Realizzato con materiali accuratamente selezionati.",
     "Gemaakt van zorgvuldig geselecteerde materialen."),
    ("Our customers' favourite, now even better.",
     "Le préféré de nos clients, désormais encore meilleur.",
     "Der Liebling unserer Kunden, jetzt noch besser.",
     "El favorito de nuestros clientes, ahora aún mejor.",
     "Il preferito dei nostri clienti, ora ancora migliore.",
     "De favoriet van onze klanten, nu nog beter."),
    ("Simple, durable & easy to care for.",
     "Simple, résistant & facile d'entretien.",
     "Einfach, robust & pflegeleicht.",
     "Sencillo, resistente y fácil de cuidar.",
     "Semplice, resistente e facile da curare.",
     "Eenvoudig, duurzaam en makkelijk te onderhouden."),
)  # fmt: skip

FEATURES: tuple[Translations, ...] = (
    ("Free returns within 30 days", "Retours gratuits sous 30 jours",
     "Kostenlose Rücksendung innerhalb von 30 Tagen", "Devoluciones gratuitas en 30 días",
     "Resi gratuiti entro 30 giorni", "Gratis retour binnen 30 dagen"),
    ("Two-year warranty", "Garantie de deux ans", "Zwei Jahre Garantie", "Garantía de dos años",
     "Garanzia di due anni", "Twee jaar garantie"),
    ("Ships in recyclable packaging", "Expédié dans un emballage recyclable",
     "Versand in recycelbarer Verpackung", "Enviado en embalaje reciclable",
     "Spedito in imballaggio riciclabile", "Verzonden in recyclebare verpakking"),
    ("Quality tested", "Qualité testée", "Qualitätsgeprüft", "Calidad comprobada", "Qualità testata",
     "Op kwaliteit getest"),
)  # fmt: skip

SUBTITLES: tuple[Translations, ...] = (
    ("Everyday essential", "L'essentiel du quotidien", "Alltagsbegleiter", "Imprescindible diario",
     "Essenziale di tutti i giorni", "Dagelijkse basis"),
    ("Limited edition", "Édition limitée", "Limitierte Auflage", "Edición limitada", "Edizione limitata",
     "Beperkte oplage"),
    ("New season", "Nouvelle saison", "Neue Saison", "Nueva temporada", "Nuova stagione", "Nieuw seizoen"),
    ("Best seller", "Meilleure vente", "Bestseller", "Más vendido", "Più venduto", "Bestseller"),
)  # fmt: skip

CARE_INSTRUCTIONS: tuple[Translations, ...] = (
    ("Machine wash at 30 °C. Do not tumble dry.", "Lavage en machine à 30 °C. Ne pas sécher en machine.",
     "Maschinenwäsche bei 30 °C. Nicht im Trockner trocknen.",
     "Lavar a máquina a 30 °C. No usar secadora.", "Lavare in lavatrice a 30 °C. Non asciugare in asciugatrice.",
     "Machinewas op 30 °C. Niet in de droger."),
    ("Wipe clean with a damp cloth.", "Nettoyer avec un chiffon humide.", "Mit einem feuchten Tuch abwischen.",
     "Limpiar con un paño húmedo.", "Pulire con un panno umido.", "Schoonvegen met een vochtige doek."),
    ("Hand wash only. Dry flat.", "Lavage à la main uniquement. Sécher à plat.",
     "Nur Handwäsche. Liegend trocknen.", "Lavar solo a mano. Secar en plano.",
     "Lavare solo a mano. Asciugare in piano.", "Alleen handwas. Plat laten drogen."),
)  # fmt: skip

# The tag vocabulary (UnoPim has no tag entity; the stores do).
TAGS = (
    "new", "bestseller", "sale", "eco", "limited edition", "gift idea", "summer", "winter", "premium",
    "handmade", "organic", "outdoor", "travel", "kids", "unisex", "clearance",
)  # fmt: skip


def labels(translations: Translations, locales: list[str]) -> dict[str, str]:
    """A `labels` object for the active locales, in their order."""
    return {code: translations[LOCALE_CODES.index(code)] for code in locales}
