from django.shortcuts import render

PAGES = {"privacy", "cookies", "accessibility"}


def home(request):
    return render(request, "public/home.html")


def static_page(request, page: str):
    return render(request, f"public/{page}.html")
